import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { databaseKind, getDatabase } from "@/db/client";
import { BREAKERS_CHANNEL } from "./breaker-rows";
import { RUNS_CHANNEL } from "./conversations";

/**
 * LISTENs for new runnable runs on the process's database (PostgreSQL or PGlite both deliver
 * NOTIFY on commit). Workers still poll as a safety net; this only removes the poll delay.
 */
export function listenForRuns(onRun: () => void): Promise<() => Promise<void>> {
  return listenOn(RUNS_CHANNEL, onRun);
}

/** LISTENs for breaker transitions, so every process's breaker cache refreshes at once. */
export function listenForBreakers(onChange: () => void): Promise<() => Promise<void>> {
  return listenOn(BREAKERS_CHANNEL, onChange);
}

async function listenOn(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
  const client = (getDatabase() as unknown as { $client: unknown }).$client;
  if (databaseKind() === "pglite") {
    const unsubscribe = await (client as PGlite).listen(channel, onNotify);
    return unsubscribe;
  }
  const subscription = await (client as Sql).listen(channel, onNotify);
  return () => subscription.unlisten();
}
