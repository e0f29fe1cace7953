import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { PgRateLimiter, type RateLimits } from "@/lib/runs/pg-rate-limiter";
import { queryRows } from "@/lib/runs/sql";
import { setupTestDatabase, testDb } from "../helpers/db";
import { runScriptProcess } from "../helpers/processes";

setupTestDatabase();

const limiter = (limits: RateLimits, windowMs: number) =>
  new PgRateLimiter(testDb(), { limitsFor: () => limits, windowMs, pollMs: 20 });

const grantTimes = async (key: string) =>
  (
    await testDb()
      .select({ at: schema.rateLimitGrants.grantedAt })
      .from(schema.rateLimitGrants)
      .where(eq(schema.rateLimitGrants.key, key))
      .orderBy(asc(schema.rateLimitGrants.grantedAt))
  ).map((r) => r.at.getTime());

/** The most grants any window of `windowMs` holds (windows start at a grant, where maxima are). */
const busiestWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

async function waiters(key: string, priority: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    testDb(),
    sql`select count(*)::int as n from rate_limit_waiters where key = ${key} and priority = ${priority}`,
  );
  return row?.n ?? 0;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("central rate limiter", () => {
  it(
    "never grants more than R requests in any window, across two limiter instances",
    { timeout: 30_000 },
    async () => {
      const key = "model:shared-rpm";
      const R = 5;
      const windowMs = 500;
      const [a, b] = [
        limiter({ requests: R, tokens: 1e9 }, windowMs),
        limiter({ requests: R, tokens: 1e9 }, windowMs),
      ];
      const calls = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).acquire(key, { priority: "live", estimatedTokens: 10 }),
      );
      await Promise.all(calls);
      const times = await grantTimes(key);
      expect(times).toHaveLength(20);
      expect(busiestWindow(times, windowMs)).toBe(R);
      // Load above the limit is queued, not dropped: 20 calls at 5 per window span at least 3 windows.
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3 * windowMs);
    },
  );

  it("serves queued live conversations before queued batch work", { timeout: 30_000 }, async () => {
    const key = "model:priority";
    const R = 3;
    const [batchSide, liveSide] = [
      limiter({ requests: R, tokens: 1e9 }, 600),
      limiter({ requests: R, tokens: 1e9 }, 600),
    ];
    for (let i = 0; i < R; i++)
      await batchSide.acquire(key, { priority: "batch", estimatedTokens: 1 });
    const batch = Array.from({ length: 6 }, () =>
      batchSide.acquire(key, { priority: "batch", estimatedTokens: 1 }),
    );
    await until(async () => (await waiters(key, 1)) === 6);
    const live = Array.from({ length: 3 }, () =>
      liveSide.acquire(key, { priority: "live", estimatedTokens: 1 }),
    );
    await until(async () => (await waiters(key, 0)) === 3);
    await Promise.all([...batch, ...live]);
    const granted = await testDb()
      .select({ priority: schema.rateLimitGrants.priority })
      .from(schema.rateLimitGrants)
      .where(eq(schema.rateLimitGrants.key, key))
      .orderBy(asc(schema.rateLimitGrants.grantedAt));
    // The first window's three batch calls, then the live calls that queued after six batch calls.
    expect(granted.map((g) => (g.priority === 0 ? "live" : "batch"))).toEqual([
      ...Array<string>(3).fill("batch"),
      ...Array<string>(3).fill("live"),
      ...Array<string>(6).fill("batch"),
    ]);
    expect(busiestWindow(await grantTimes(key), 600)).toBeLessThanOrEqual(R);
  });

  it(
    "limits tokens per window and corrects the estimate with the real usage",
    { timeout: 30_000 },
    async () => {
      const key = "model:tokens";
      const l = limiter({ requests: 100, tokens: 1_000 }, 60_000);
      const first = await l.acquire(key, { priority: "live", estimatedTokens: 400 });
      const second = await l.acquire(key, { priority: "live", estimatedTokens: 400 });
      let third = false;
      const pending = l
        .acquire(key, { priority: "live", estimatedTokens: 400 })
        .then(() => (third = true));
      await until(async () => (await waiters(key, 0)) === 1);
      expect(third).toBe(false);
      // The first two calls used far less than estimated: the third now fits inside the minute.
      await first.settle(100);
      await second.settle(100);
      await pending;
      expect(third).toBe(true);
    },
  );

  it("gives up its place in the queue when the caller aborts", async () => {
    const key = "model:abort";
    const l = limiter({ requests: 1, tokens: 1e9 }, 60_000);
    await l.acquire(key, { priority: "live", estimatedTokens: 1 });
    const controller = new AbortController();
    const waiting = l.acquire(key, {
      priority: "live",
      estimatedTokens: 1,
      signal: controller.signal,
    });
    await until(async () => (await waiters(key, 0)) === 1);
    controller.abort(new Error("run cancelled"));
    await expect(waiting).rejects.toThrow("run cancelled");
    expect(await waiters(key, 0)).toBe(0);
  });

  it("removes the waiter rows of a process that died while queued", async () => {
    const key = "model:dead-waiter";
    await queryRows(
      testDb(),
      sql`insert into rate_limit_waiters (id, key, priority, expires_at)
          values ('rlg_dead', ${key}, 0, now() - interval '2 minutes'), ('rlg_recent', ${key}, 0, now() - interval '1 second')`,
    );
    await limiter({ requests: 5, tokens: 1e9 }, 60_000).acquire(key, { priority: "live", estimatedTokens: 1 });
    const left = await testDb()
      .select({ id: schema.rateLimitWaiters.id })
      .from(schema.rateLimitWaiters)
      .where(eq(schema.rateLimitWaiters.key, key));
    expect(left.map((r) => r.id)).toEqual(["rlg_recent"]);
  });
});

const runProcess = (args: string[]) => runScriptProcess("tests/drill/rate-limit-process.ts", args);

// A PGlite directory belongs to one process, so the two-process variant needs PostgreSQL.
describe.runIf(process.env.DATABASE_URL)("central rate limiter across OS processes", () => {
  it(
    "two worker processes together never exceed R in any window",
    { timeout: 60_000 },
    async () => {
      const key = "model:two-processes";
      const args = [key, "10", "4", "500"];
      expect(await Promise.all([runProcess(args), runProcess(args)])).toEqual(["done", "done"]);
      const times = await grantTimes(key);
      expect(times).toHaveLength(20);
      expect(busiestWindow(times, 500)).toBe(4);
    },
  );
});
