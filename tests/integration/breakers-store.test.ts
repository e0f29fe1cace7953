import { asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { listenForBreakers } from "@/lib/runs/notify";
import { PgBreakerStore } from "@/lib/runs/pg-breaker-store";
import { type BreakerConfig, defaultBreakerConfig } from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { runScriptProcess } from "../helpers/processes";

setupTestDatabase();

const config: BreakerConfig = {
  ...defaultBreakerConfig,
  consecutiveFailures: 3,
  cooldownMs: 60_000,
};
const stores: PgBreakerStore[] = [];
function store(opts: { pollMs?: number; listen?: boolean } = {}) {
  const s = new PgBreakerStore(testDb(), {
    configFor: () => config,
    pollMs: opts.pollMs ?? 200,
    listen: opts.listen ? listenForBreakers : undefined,
  });
  stores.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(stores.map((s) => s.stop()));
});

const fail3 = async (s: PgBreakerStore, key: string, at = Date.now()) => {
  for (let i = 0; i < 3; i++) await s.apply(key, { type: "failure" }, at);
};
const transitionsOf = (key: string) =>
  testDb()
    .select()
    .from(schema.breakerTransitions)
    .where(eq(schema.breakerTransitions.breakerKey, key))
    .orderBy(asc(schema.breakerTransitions.at), asc(schema.breakerTransitions.id));

describe("breakers shared through Postgres", () => {
  it("a breaker opened by one store is seen open by another within one poll interval", async () => {
    const [a, b] = [store(), store({ pollMs: 200 })];
    await b.start();
    expect((await b.apply("model:shared", { type: "acquire" }, Date.now())).decision).toBe("allow");
    await fail3(a, "model:shared");
    await b.nextRefresh();
    expect((await b.apply("model:shared", { type: "acquire" }, Date.now())).decision).toBe(
      "reject",
    );
  });

  it("sees the transition at once through NOTIFY, without waiting for a poll", async () => {
    const [a, b] = [store(), store({ pollMs: 3_600_000, listen: true })];
    await b.start();
    await b.apply("agent:notified", { type: "acquire" }, Date.now());
    const refreshed = b.nextRefresh();
    await fail3(a, "agent:notified");
    await refreshed;
    expect((await b.apply("agent:notified", { type: "acquire" }, Date.now())).decision).toBe(
      "reject",
    );
  });

  it("records every transition with its counts and reason", async () => {
    const s = store();
    const key = "tool:lookup_order";
    const t0 = Date.now();
    await fail3(s, key, t0);
    expect((await s.apply(key, { type: "acquire" }, t0 + config.cooldownMs)).decision).toBe(
      "probe",
    );
    await s.apply(key, { type: "success", probe: true }, t0 + config.cooldownMs + 5);
    const rows = await transitionsOf(key);
    expect(
      rows.map((r) => [r.fromStatus, r.toStatus, r.reason, r.consecutiveFailures, r.actorId]),
    ).toEqual([
      ["closed", "open", "consecutive_failures", 3, null],
      ["open", "half_open", "cooldown_elapsed", 3, null],
      ["half_open", "closed", "probe_succeeded", 3, null],
    ]);
    const [row] = await testDb().select().from(schema.breakers).where(eq(schema.breakers.key, key));
    expect(row).toMatchObject({ status: "closed", consecutiveFailures: 0, openedAt: null });
  });

  it("admits exactly one probe among 20 concurrent callers spread over two stores", async () => {
    const [a, b] = [store(), store()];
    const key = "model:probe-race";
    const t0 = Date.now();
    await fail3(a, key, t0);
    const later = t0 + config.cooldownMs + 1;
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).apply(key, { type: "acquire" }, later)),
    );
    expect(decisions.filter((d) => d.decision === "probe")).toHaveLength(1);
    expect(decisions.filter((d) => d.decision === "reject")).toHaveLength(19);
  });

  it("batches successes of a healthy breaker and writes them on the next flush", async () => {
    const s = store();
    const key = "agent:healthy";
    await s.apply(key, { type: "acquire" }, Date.now());
    for (let i = 0; i < 7; i++) await s.apply(key, { type: "success" }, Date.now());
    const read = async () =>
      (await testDb().select().from(schema.breakers).where(eq(schema.breakers.key, key)))[0];
    expect((await read())?.window).toEqual([]);
    await s.stop();
    const window = (await read())?.window as { calls: number; failures: number }[];
    expect(window.reduce((n, b) => n + b.calls, 0)).toBe(7);
  });
});

// A PGlite directory belongs to one process, so the two-process variant needs PostgreSQL.
describe.runIf(process.env.DATABASE_URL)("breakers across OS processes", () => {
  it(
    "a breaker opened in another process is refused here after one poll",
    { timeout: 60_000 },
    async () => {
      const here = store({ pollMs: 250 });
      await here.start();
      const key = "model:other-process";
      expect((await here.apply(key, { type: "acquire" }, Date.now())).decision).toBe("allow");
      const output = await runScriptProcess("tests/drill/breaker-process.ts", [key]);
      expect(output).toBe("open");
      await here.nextRefresh();
      expect((await here.apply(key, { type: "acquire" }, Date.now())).decision).toBe("reject");
    },
  );
});
