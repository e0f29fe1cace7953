import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { closeDatabase, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { resetEnvForTests } from "@/lib/env";
import { createServerDatabase } from "./helpers/server-db";

/**
 * Every test file gets a database of its own (tests/helpers/db.ts). Creating one and running
 * every migration in it took seconds per file, so the run migrates one database here and each
 * file's database starts as a copy of it:
 * - on PGlite, a dump of the migrated data dir that each `memory://` database loads
 *   (PGLITE_TEMPLATE, read by db/client.ts);
 * - on PostgreSQL (DATABASE_URL), a template database each file's `create database` copies
 *   (TEST_DATABASE_TEMPLATE, read by tests/helpers/db.ts).
 * Each file still calls migrateDatabase, which then has no migration left to apply.
 */
export default async function setup(): Promise<() => void | Promise<void>> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl && !process.env.SWITCHYARD_EMBEDDED_DB) return migrateServerTemplate(serverUrl);
  return migrateEmbeddedTemplate();
}

async function migrateEmbeddedTemplate(): Promise<() => void> {
  const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
  const file = path.join(root, ".data/test", `pglite-template-${process.pid}.tar`);
  const dump = await withMigratedDatabase({ PGLITE_DATA_DIR: "memory://" }, () => {
    const client = (getDatabase() as unknown as { $client: PGlite }).$client;
    return client.dumpDataDir("none");
  });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.PGLITE_TEMPLATE = file;
  return () => rmSync(file, { force: true });
}

async function migrateServerTemplate(serverUrl: string): Promise<() => Promise<void>> {
  const name = `sy_template_${process.pid}`;
  const template = await createServerDatabase(serverUrl, name, { replace: true });
  await withMigratedDatabase({ DATABASE_URL: template.url }, async () => {});
  process.env.TEST_DATABASE_TEMPLATE = name;
  return template.drop;
}

/**
 * Migrates the database `env` points at and runs `then` on it, then closes it: a copy needs its
 * template closed, and the test files' environment must not keep these overrides.
 */
async function withMigratedDatabase<T>(env: Record<string, string>, then: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  resetEnvForTests();
  try {
    await migrateDatabase();
    return await then();
  } finally {
    await closeDatabase();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvForTests();
  }
}
