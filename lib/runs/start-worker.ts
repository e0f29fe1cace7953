import { getDatabase } from "@/db/client";
import { getEnv } from "@/lib/env";
import { log } from "@/lib/log";
import { RolloutBackground } from "@/lib/rollouts/background";
import { listenForRuns } from "./notify";
import { defaultRuntimeParts } from "./default-parts";
import { RunWorker } from "./worker";

const globalForWorker = globalThis as unknown as { __switchyardWorker?: RunWorker };

/**
 * Starts this process's worker once (hot reloads reuse it). The app process always runs one: with
 * the embedded database it must (a PGlite directory belongs to one process); with PostgreSQL,
 * `npm run worker` adds more processes beside it.
 */
export async function startWorker(): Promise<RunWorker | null> {
  const concurrency = getEnv().SWITCHYARD_WORKER_CONCURRENCY;
  if (concurrency === 0) return null;
  if (globalForWorker.__switchyardWorker) return globalForWorker.__switchyardWorker;
  const worker = new RunWorker({
    db: getDatabase(),
    parts: defaultRuntimeParts(),
    concurrency,
    listen: listenForRuns,
  });
  globalForWorker.__switchyardWorker = worker;
  await worker.start();
  log("info", "worker started", { worker: worker.id, concurrency });
  // Evaluation sampling, the rollout guard, replays and retention: batch work beside the live worker.
  new RolloutBackground(getDatabase(), defaultRuntimeParts()).start();
  return worker;
}
