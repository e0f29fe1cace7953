import path from "node:path";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import postgres from "postgres";
import { ensureVectorExtension } from "@/lib/cache/vector";
import { ensureBuiltInPrices } from "@/lib/costs/seed-prices";
import { getEnv, usesEmbeddedDatabase } from "@/lib/env";
import { databaseKind, getDatabase } from "./client";

const migrationsFolder = path.resolve(process.cwd(), "db/migrations");
// Any constant works; it only has to be the same for every Switchyard process.
const MIGRATION_LOCK_KEY = 7_426_801;

/**
 * Applies committed migrations. On PostgreSQL several processes may start at once, so the run is
 * serialised with an advisory lock on a dedicated connection; PGlite belongs to this process alone.
 */
export async function migrateDatabase(): Promise<void> {
  const env = getEnv();
  if (databaseKind() === "pglite" || usesEmbeddedDatabase(env)) {
    await migratePglite(getDatabase() as unknown as PgliteDatabase, { migrationsFolder });
    await ensureBuiltInPrices(getDatabase());
    await ensureVectorExtension(getDatabase());
    return;
  }
  const client = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
  // Reference data every process prices calls with, not demo data.
  await ensureBuiltInPrices(getDatabase());
  await ensureVectorExtension(getDatabase());
}
