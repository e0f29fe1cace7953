// A worker process for the crash drills (tests/drills); the drill SIGKILLs or SIGSTOPs it.
// DRILL_CONCURRENCY, DRILL_LEASE_MS, DRILL_PACE_MS, DRILL_PACE_SPREAD,
// DRILL_HOLD_LAST_STAGE and DRILL_DIE_AT (see drill-team.ts) shape it
// per drill; it prints `ready <worker id>` once it claims, so the drill can find its leases.
import { getDatabase } from "@/db/client";
import { RunWorker } from "@/lib/runs/worker";
import { armedKeys, dieAtFromEnv, drillParts } from "./drill-team";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const db = getDatabase();
const worker = new RunWorker({
  db: dieAtFromEnv() === "after-record" ? dieAfterLedgerRecord(db) : db,
  parts: drillParts(db, { paceMs: num("DRILL_PACE_MS", 10), spread: num("DRILL_PACE_SPREAD", 5), holdLastStage: process.env.DRILL_HOLD_LAST_STAGE === "1", dieAt: dieAtFromEnv() }),
  concurrency: num("DRILL_CONCURRENCY", 4),
  leaseMs: num("DRILL_LEASE_MS", 1_500),
  pollMs: 50,
  maxClaims: 100,
});
await worker.start();
process.stdout.write(`ready ${worker.id}\n`);

/**
 * The kill-after-effect drill's second window: the tool's effect is applied AND its outcome
 * recorded in the ledger, but the step has not committed. The ledger's `complete` is the one
 * statement through the worker's database handle that names an armed key (the tool arms a key
 * right after a first attempt's effect), so the process dies the moment that statement returns.
 */
function dieAfterLedgerRecord(inner: typeof db): typeof db {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== "execute" || typeof value !== "function") return value;
      return async (query: { queryChunks?: unknown[] }) => {
        const result: unknown = await (value as (q: unknown) => Promise<unknown>).call(target, query);
        const recorded = (query.queryChunks ?? []).some((c) => typeof c === "string" && armedKeys.has(c));
        if (recorded) process.kill(process.pid, "SIGKILL");
        return result;
      };
    },
  });
}
