import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";

/**
 * On PGlite, every test file opens its own in-memory database. Creating one (initdb) and
 * migrating it took about 4 s per file; loading a dump of one already migrated takes under 1 s.
 * So the run migrates once here and each file's database starts from that dump
 * (PGLITE_TEMPLATE, read by db/client.ts). db/migrate.ts still runs in every file and finds
 * nothing to do. On PostgreSQL (DATABASE_URL) each file creates its own database and this does
 * nothing.
 */
export default async function setup(): Promise<() => void> {
  if (process.env.DATABASE_URL && !process.env.SWITCHYARD_EMBEDDED_DB) return () => {};
  const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
  const file = path.join(root, ".data/test", `pglite-template-${process.pid}.tar`);
  const db = new PGlite("memory://", { extensions: { vector } });
  await db.exec("create extension if not exists vector");
  await migrate(drizzle({ client: db }), { migrationsFolder: path.join(root, "db/migrations") });
  const dump = await db.dumpDataDir("none");
  await db.close();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.PGLITE_TEMPLATE = file;
  return () => rmSync(file, { force: true });
}
