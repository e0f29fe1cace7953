// A worker process for the rate-limiter test: takes N slots of one key through its own limiter.
import { closeDatabase, getDatabase } from "@/db/client";
import { PgRateLimiter } from "@/lib/runs/pg-rate-limiter";

const [key = "model:drill", count = "10", requests = "5", windowMs = "500"] = process.argv.slice(2);
const limiter = new PgRateLimiter(getDatabase(), {
  limitsFor: () => ({ requests: Number(requests), tokens: 1e9 }),
  windowMs: Number(windowMs),
  pollMs: 20,
});
await Promise.all(
  Array.from({ length: Number(count) }, () =>
    limiter.acquire(key, { priority: "live", estimatedTokens: 1 }),
  ),
);
await closeDatabase();
process.stdout.write("done\n");
