import { getEnv, usesEmbeddedDatabase } from "@/lib/env";
import { log } from "@/lib/log";
import { getDatabase } from "./client";
import { migrateDatabase } from "./migrate";
import { hasAnyUser, seedDemo, seedDemoHistory } from "./seed";

/**
 * What the app process does once at start: apply migrations, and on an empty embedded database
 * create the demo data so `npm install && npm start` shows a working console. A PostgreSQL
 * database is never seeded implicitly (`npm run db:seed -- --demo` does that on request).
 */
export async function bootstrapDatabase(): Promise<{ demoSeeded: boolean }> {
  const started = Date.now();
  await migrateDatabase();
  const embedded = usesEmbeddedDatabase(getEnv());
  let demoSeeded = false;
  if (embedded && !(await hasAnyUser(getDatabase()))) {
    const { created } = await seedDemo(getDatabase());
    demoSeeded = true;
    log("info", "demo data created on the empty embedded database", { users: created });
  }
  log("info", "database ready", { embedded, ms: Date.now() - started });
  return { demoSeeded };
}

/**
 * The demo history of a database just seeded above, in the background: it takes seconds, and the
 * sign-in page should not wait for it. Idempotent (a marker row), and only ever after seeding.
 */
export function backfillDemoHistoryInBackground(): void {
  void seedDemoHistory(getDatabase()).catch((error: unknown) => {
    log("warn", "demo history could not be created", { error: error instanceof Error ? error.message : String(error) });
  });
}
