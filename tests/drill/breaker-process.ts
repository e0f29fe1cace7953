// A second process for the breaker tests: trips a breaker through its own store and exits.
import { closeDatabase, getDatabase } from "@/db/client";
import { PgBreakerStore } from "@/lib/runs/pg-breaker-store";
import { defaultBreakerConfig } from "@/lib/runtime";

const key = process.argv[2] ?? "model:drill";
const store = new PgBreakerStore(getDatabase(), {
  configFor: () => ({ ...defaultBreakerConfig, consecutiveFailures: 3 }),
});
let status = "closed";
for (let i = 0; i < 3; i++)
  status = (await store.apply(key, { type: "failure" }, Date.now())).state.status;
await store.stop();
await closeDatabase();
process.stdout.write(`${status}\n`);
