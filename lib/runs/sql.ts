import type { SQL } from "drizzle-orm";
import type { Database } from "@/db/client";

/**
 * Runs raw SQL on either driver and returns its rows: postgres.js answers with an array,
 * PGlite with `{ rows }`. The hot paths of the runtime use hand-written single statements
 * (one round trip, one commit), so they go through here rather than the query builder.
 */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}
