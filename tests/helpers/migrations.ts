import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { afterAll } from "vitest";

/**
 * The repository's migrations on a PGlite of the test file's own, to apply a range at a time:
 * data written between two ranges is what an install had before a migration.
 */
export function migrationSteps() {
  const migrations = readMigrationFiles({ migrationsFolder: path.resolve("db/migrations") });
  const pg = new PGlite();
  afterAll(() => pg.close());
  return {
    pg,
    /** The index of the first migration with a statement that contains `text`, or -1. */
    indexOf: (text: string) => migrations.findIndex((m) => m.sql.some((s) => s.includes(text))),
    /** Migrations [from, to), in one transaction as drizzle's migrator applies them (some lock a table). */
    apply: (from: number, to: number) =>
      pg.transaction(async (tx) => {
        for (const m of migrations.slice(from, to)) for (const statement of m.sql) if (statement.trim()) await tx.exec(statement);
      }),
  };
}
