import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { log } from "@/lib/log";
import { queryRows } from "@/lib/runs/sql";

/**
 * Installs pgvector where the server offers it (PGlite always does: db/client.ts loads it). It is
 * optional: without it, or without the right to create it, the semantic cache computes the
 * similarity in plain SQL, so a failure here is logged and start-up goes on. Not a migration,
 * because a migration cannot be conditional on what a server has installed.
 */
export async function ensureVectorExtension(db: Database): Promise<boolean> {
  try {
    const [row] = await queryRows<{ available: boolean; installed: boolean }>(
      db,
      sql`select exists (select 1 from pg_available_extensions where name = 'vector') as available,
        exists (select 1 from pg_extension where extname = 'vector') as installed`,
    );
    if (row?.installed) return true;
    if (!row?.available) return false;
    await db.execute(sql`create extension if not exists vector`);
    return true;
  } catch (error) {
    log("info", "pgvector could not be installed; the semantic cache uses plain SQL", {
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}

/** Whether the database has pgvector installed (checked once per cache instance). */
export async function hasVectorExtension(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ installed: boolean }>(
    db,
    sql`select exists (select 1 from pg_extension where extname = 'vector') as installed`,
  );
  return Boolean(row?.installed);
}
