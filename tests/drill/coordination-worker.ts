// A worker process for the coordination drill; the drill SIGKILLs it at random.
import { getDatabase } from "@/db/client";
import { RunWorker } from "@/lib/runs/worker";
import { coordinationDrillParts } from "./coordination-team";

const db = getDatabase();
const worker = new RunWorker({ db, parts: coordinationDrillParts(db), concurrency: 4, leaseMs: 1_500, pollMs: 50, maxClaims: 100 });
await worker.start();
process.stdout.write("ready\n");
