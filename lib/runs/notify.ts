import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { databaseKind, getDatabase } from "@/db/client";
import { RUNS_CHANNEL } from "./conversations";

/**
 * LISTENs for new runnable runs on the process's database (PostgreSQL or PGlite both deliver
 * NOTIFY on commit). Workers still poll as a safety net; this only removes the poll delay.
 */
export async function listenForRuns(onRun: () => void): Promise<() => Promise<void>> {
  const client = (getDatabase() as unknown as { $client: unknown }).$client;
  if (databaseKind() === "pglite") {
    const unsubscribe = await (client as PGlite).listen(RUNS_CHANNEL, onRun);
    return unsubscribe;
  }
  const subscription = await (client as Sql).listen(RUNS_CHANNEL, onRun);
  return () => subscription.unlisten();
}
