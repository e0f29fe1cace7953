import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { getEnv, usesEmbeddedDatabase } from "@/lib/env";
import * as schema from "./schema";

/** Both drivers expose the same drizzle API; callers never need to know which one runs. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

interface Handle {
  db: Database;
  kind: "pglite" | "postgres";
  close: () => Promise<void>;
}

// Cached on globalThis so hot reloads and repeated imports share one client per process.
const globalForDb = globalThis as unknown as { __switchyardDb?: Handle };

function open(): Handle {
  const env = getEnv();
  if (!usesEmbeddedDatabase(env) && env.DATABASE_URL) {
    const client = postgres(env.DATABASE_URL, {
      // DATABASE_POOL_MAX is the process's whole share of the server's connections: postgres.js
      // runs LISTEN (lib/runs/notify.ts) on one more connection of its own, outside `max`.
      max: queryPoolSize(env.DATABASE_POOL_MAX),
      onnotice: () => {},
    });
    return {
      db: drizzlePostgres({ client, schema }),
      kind: "postgres",
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dir = env.PGLITE_DATA_DIR;
  if (!dir.startsWith("memory://")) mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  // pgvector for the semantic response cache; created as an extension by db/migrate.ts.
  const template = dir.startsWith("memory://") ? env.PGLITE_TEMPLATE : undefined;
  const client = new PGlite(dir, {
    extensions: { vector },
    ...(template ? { loadDataDir: new Blob([readFileSync(template)]) } : {}),
  });
  return {
    db: drizzlePglite({ client, schema }),
    kind: "pglite",
    close: () => client.close(),
  };
}

/** Connections left for queries once the LISTEN connection is counted (at least one). */
export function queryPoolSize(poolMax: number): number {
  return Math.max(1, poolMax - 1);
}

function handle(): Handle {
  globalForDb.__switchyardDb ??= open();
  return globalForDb.__switchyardDb;
}

export function getDatabase(): Database {
  return handle().db;
}

export function databaseKind(): "pglite" | "postgres" {
  return handle().kind;
}

/** Closes the process's client (scripts and tests; PGlite keeps Node alive otherwise). */
export async function closeDatabase(): Promise<void> {
  const h = globalForDb.__switchyardDb;
  globalForDb.__switchyardDb = undefined;
  if (h) await h.close();
}
