import { closeDatabase, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { getEnv, usesEmbeddedDatabase } from "@/lib/env";
import { log } from "@/lib/log";
import { RolloutBackground } from "@/lib/rollouts/background";
import { listenForRuns } from "@/lib/runs/notify";
import { defaultRuntimeParts } from "@/lib/runs/default-parts";
import { RunWorker } from "@/lib/runs/worker";

// An extra worker process. Workers are stateless: start as many as the database can serve.
if (usesEmbeddedDatabase()) {
  console.error(
    "npm run worker needs DATABASE_URL: the embedded database belongs to the app process, which runs its own worker.",
  );
  process.exit(2);
}
await migrateDatabase();
const worker = new RunWorker({
  db: getDatabase(),
  parts: defaultRuntimeParts(),
  concurrency: getEnv().SWITCHYARD_WORKER_CONCURRENCY || 16,
  listen: listenForRuns,
});
await worker.start();
const background = new RolloutBackground(getDatabase(), defaultRuntimeParts());
background.start();
log("info", "worker started", { worker: worker.id });

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    log("info", "worker stopping; finishing runs in hand", { worker: worker.id });
    void Promise.all([worker.stop(), background.stop()]).then(closeDatabase).then(() => process.exit(0));
  });
}
