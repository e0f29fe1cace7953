import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/metrics/route";
import * as schema from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { newId } from "@/lib/ids";
import { ROLLUP_SETTINGS_KEY } from "@/lib/prometheus/llm-totals";
import { setupTestDatabase, testDb } from "../helpers/db";
import { parsePrometheusText, seriesValue } from "../helpers/prometheus-text";

setupTestDatabase();

const HOUR = 3_600_000;
const TOKEN = "metrics-token-0123456789abcdef";

async function scrape(headers: Record<string, string> = {}) {
  return GET(new Request("http://localhost:3000/api/metrics", { headers }));
}

async function scrapeParsed() {
  const res = await scrape();
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  const families = parsePrometheusText(text);
  const family = (name: string) => {
    const f = families.get(name);
    if (!f) throw new Error(`metric ${name} missing from:\n${text}`);
    return f;
  };
  const value = (name: string, labels: Record<string, string> = {}) => seriesValue(families, name, labels);
  return { families, family, value, text };
}

interface LlmCall {
  agent: string;
  ms: number;
  input: number;
  output: number;
  cost: number;
  error?: boolean;
  /** Start this long ago (the sealed rollup covers spans over ~1h15m old). */
  agoMs?: number;
}

/** A run (and its conversation) with the given status, lease and LLM spans. */
async function createRun(opts: {
  runStatus: string;
  conversationStatus: (typeof schema.conversationStatusEnum.enumValues)[number];
  lease?: "live" | "expired" | "none";
  calls?: LlmCall[];
}) {
  const conversationId = newId("cnv");
  const runId = newId("run");
  const traceId = newId("x").replace(/[^0-9a-f]/g, "").padEnd(32, "0").slice(0, 32);
  await testDb().insert(schema.conversations).values({ id: conversationId, status: opts.conversationStatus, chain: "support" });
  const lease = opts.lease ?? "none";
  await testDb().insert(schema.runs).values({
    id: runId,
    conversationId,
    chain: "support",
    status: opts.runStatus,
    seq: 0,
    checkpoint: {},
    traceId,
    leaseOwner: lease === "none" ? null : "some-worker",
    leaseExpiresAt: lease === "none" ? null : new Date(Date.now() + (lease === "live" ? 60_000 : -60_000)),
  });
  const calls = opts.calls ?? [];
  if (calls.length > 0) {
    await testDb().insert(schema.spans).values(
      calls.map((c, i) => {
        const startedAt = new Date(Date.now() - (c.agoMs ?? 1_000));
        return {
          traceId,
          spanId: (i + 1).toString(16).padStart(16, "0"),
          runId,
          name: "chat simulator/fast",
          kind: "llm",
          status: c.error ? "error" : "ok",
          agent: c.agent,
          model: "simulator/fast",
          startedAt,
          endedAt: new Date(startedAt.getTime() + c.ms),
          durationMs: c.ms,
          inputTokens: c.input,
          outputTokens: c.output,
          costUsd: c.cost,
          error: c.error ? "rate_limited: 429" : null,
        };
      }),
    );
  }
}

afterEach(() => {
  delete process.env.SWITCHYARD_METRICS_TOKEN;
  resetEnvForTests();
});

describe("GET /api/metrics", () => {
  beforeAll(async () => {
    // Old calls (sealed into the hourly rollup on the first scrape) and recent ones (live).
    await createRun({
      runStatus: "completed",
      conversationStatus: "resolved",
      calls: [
        { agent: "triage", ms: 30, input: 100, output: 10, cost: 0.0012, agoMs: 3 * HOUR },
        { agent: "triage", ms: 200, input: 50, output: 5, cost: 0.0003, agoMs: 3 * HOUR },
        { agent: "billing", ms: 70_000, input: 7, output: 0, cost: 0, error: true, agoMs: 5 * HOUR },
      ],
    });
    await createRun({
      runStatus: "running",
      conversationStatus: "running",
      lease: "live",
      calls: [{ agent: "triage", ms: 2_000, input: 20, output: 2, cost: 0.0005 }],
    });
    await createRun({ runStatus: "running", conversationStatus: "running", lease: "expired" });
    await createRun({ runStatus: "running", conversationStatus: "running", lease: "none" });
    await createRun({ runStatus: "waiting_for_human", conversationStatus: "escalated" });
    await createRun({ runStatus: "failed", conversationStatus: "failed" });
  });

  it("exposes per-agent LLM counters and a latency histogram computed from the stored spans", async () => {
    const m = await scrapeParsed();
    expect(m.family("switchyard_llm_calls_total").type).toBe("counter");
    expect(m.value("switchyard_llm_calls_total", { agent: "triage" })).toBe(3);
    expect(m.value("switchyard_llm_calls_total", { agent: "billing" })).toBe(1);
    expect(m.value("switchyard_llm_errors_total", { agent: "triage" })).toBe(0);
    expect(m.value("switchyard_llm_errors_total", { agent: "billing" })).toBe(1);
    expect(m.value("switchyard_llm_input_tokens_total", { agent: "triage" })).toBe(170);
    expect(m.value("switchyard_llm_output_tokens_total", { agent: "triage" })).toBe(17);
    expect(m.value("switchyard_llm_cost_usd_total", { agent: "triage" })).toBeCloseTo(0.002, 12);
    expect(m.value("switchyard_llm_cost_usd_total", { agent: "billing" })).toBe(0);

    expect(m.family("switchyard_llm_latency_seconds").type).toBe("histogram");
    const bucket = (agent: string, le: string) => m.value("switchyard_llm_latency_seconds_bucket", { agent, le });
    expect(["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "+Inf"].map((le) => bucket("triage", le))).toEqual([
      1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3,
    ]);
    expect(m.value("switchyard_llm_latency_seconds_count", { agent: "triage" })).toBe(3);
    expect(m.value("switchyard_llm_latency_seconds_sum", { agent: "triage" })).toBeCloseTo(2.23, 9);
    expect(bucket("billing", "60")).toBe(0);
    expect(bucket("billing", "+Inf")).toBe(1);
    expect(m.value("switchyard_llm_latency_seconds_sum", { agent: "billing" })).toBe(70);
  });

  it("exposes runs, queue depth and conversations by status, and switchyard_up", async () => {
    const m = await scrapeParsed();
    expect(m.family("switchyard_runs").type).toBe("gauge");
    expect(m.value("switchyard_runs", { status: "running" })).toBe(3);
    expect(m.value("switchyard_runs", { status: "completed" })).toBe(1);
    expect(m.value("switchyard_runs", { status: "waiting_for_human" })).toBe(1);
    expect(m.value("switchyard_runs", { status: "failed" })).toBe(1);
    expect(m.value("switchyard_runs", { status: "escalated" })).toBe(0);
    // Running without a live lease: the expired one and the unclaimed one, not the leased one.
    expect(m.value("switchyard_run_queue_depth")).toBe(2);
    expect(m.value("switchyard_conversations", { status: "running" })).toBe(3);
    expect(m.value("switchyard_conversations", { status: "resolved" })).toBe(1);
    expect(m.value("switchyard_conversations", { status: "escalated" })).toBe(1);
    expect(m.value("switchyard_conversations", { status: "waiting_for_customer" })).toBe(0);
    expect(m.value("switchyard_up")).toBe(1);
  });

  it("exposes each breaker's state one-hot, and today's spend against the daily budgets but an API key's", async () => {
    const startOfToday = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`).getTime();
    await testDb().insert(schema.breakers).values([
      { key: "model:simulator/fast", status: "open" },
      { key: "tool:refund", status: "half_open" },
      { key: "agent:billing", status: "closed" },
    ]);
    await testDb().insert(schema.budgets).values([
      { scope: "daily:global", limitUsd: 50 },
      { scope: "daily:agent:prom_budget", limitUsd: 5 },
      { scope: "daily:agent:prom_idle", limitUsd: 2 },
      { scope: "daily:api_key:key_0123", limitUsd: 1 },
      { scope: "conversation:default", limitUsd: 0.5 },
    ]);
    const call = (spanId: string, startedAt: number, costUsd: number) => ({
      traceId: "f".repeat(32), spanId, runId: "run_prom_budget", startedAt: new Date(startedAt),
      agent: "prom_budget", agentVersion: 1, status: "ok", costUsd,
    });
    // Two calls today and one the day before, which today's spend leaves out.
    await testDb().insert(schema.llmCalls).values([
      call("1".repeat(16), startOfToday + 1_000, 0.25),
      call("2".repeat(16), startOfToday + 2_000, 0.5),
      call("3".repeat(16), startOfToday - 1_000, 4),
    ]);
    try {
      const m = await scrapeParsed();
      expect(m.family("switchyard_breaker_state").type).toBe("gauge");
      const state = (key: string) =>
        Object.fromEntries(["closed", "open", "half_open"].map((s) => [s, m.value("switchyard_breaker_state", { key, state: s })]));
      expect(state("model:simulator/fast")).toEqual({ closed: 0, open: 1, half_open: 0 });
      expect(state("tool:refund")).toEqual({ closed: 0, open: 0, half_open: 1 });
      expect(state("agent:billing")).toEqual({ closed: 1, open: 0, half_open: 0 });

      expect(m.value("switchyard_budget_daily_spent_usd", { scope: "daily:agent:prom_budget" })).toBe(0.75);
      expect(m.value("switchyard_budget_daily_limit_usd", { scope: "daily:agent:prom_budget" })).toBe(5);
      // Nothing spent today: 0, not missing.
      expect(m.value("switchyard_budget_daily_spent_usd", { scope: "daily:agent:prom_idle" })).toBe(0);
      // The whole install: every call started today, the other tests' included.
      const calls = await testDb().select().from(schema.llmCalls);
      const today = calls.filter((c) => c.startedAt.getTime() >= startOfToday).reduce((sum, c) => sum + (c.costUsd ?? 0), 0);
      expect(m.value("switchyard_budget_daily_spent_usd", { scope: "daily:global" })).toBeCloseTo(today, 9);
      expect(m.value("switchyard_budget_daily_limit_usd", { scope: "daily:global" })).toBe(50);
      // An API key's scope holds its id; a conversation budget is not a daily one.
      expect(m.text).not.toContain("key_0123");
      expect(m.text).not.toContain("conversation:default");
    } finally {
      await testDb().delete(schema.breakers);
      await testDb().delete(schema.budgets);
      await testDb().delete(schema.llmCalls).where(eq(schema.llmCalls.runId, "run_prom_budget"));
      // The scrape may have sealed the day-old call into the LLM rollup: start that afresh.
      await testDb().delete(schema.settings).where(eq(schema.settings.key, ROLLUP_SETTINGS_KEY));
    }
  });

  it("keeps counting across scrapes: old hours are sealed into a rollup, totals only grow", async () => {
    const first = await scrapeParsed();
    const [rollup] = await testDb().select().from(schema.settings).where(eq(schema.settings.key, ROLLUP_SETTINGS_KEY));
    const stored = rollup?.value as { sealedUntil: number; agents: Record<string, { calls: number }> };
    expect(stored.sealedUntil).toBeGreaterThan(Date.now() - 3 * HOUR);
    // The 3- and 5-hour-old calls are in the rollup; the recent one is not.
    expect(stored.agents.triage?.calls).toBe(2);
    expect(stored.agents.billing?.calls).toBe(1);

    await createRun({
      runStatus: "completed",
      conversationStatus: "resolved",
      calls: [{ agent: "triage", ms: 40, input: 1, output: 1, cost: 0.0001 }],
    });
    const second = await scrapeParsed();
    expect(second.value("switchyard_llm_calls_total", { agent: "triage" })).toBe(
      first.value("switchyard_llm_calls_total", { agent: "triage" }) + 1,
    );
    expect(second.value("switchyard_llm_cost_usd_total", { agent: "triage" })).toBeCloseTo(
      first.value("switchyard_llm_cost_usd_total", { agent: "triage" }) + 0.0001,
      12,
    );
    expect(second.value("switchyard_llm_calls_total", { agent: "billing" })).toBe(1);
  });

  it("requires the bearer token when one is configured, and is open when none is", async () => {
    expect((await scrape()).status).toBe(200);
    process.env.SWITCHYARD_METRICS_TOKEN = TOKEN;
    resetEnvForTests();
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await anonymous.text()).not.toContain("switchyard_up");
    expect((await scrape({ Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape({ Authorization: TOKEN })).status).toBe(401);
    const ok = await scrape({ Authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("switchyard_up 1");
  });
});

describe("the test's text-format parser", () => {
  it("rejects what a broken exporter would produce", () => {
    expect(() => parsePrometheusText("foo 1\n")).toThrow(/without a TYPE/);
    expect(() => parsePrometheusText("# TYPE foo gauge\nbar 1\n")).toThrow(/outside family/);
    expect(() => parsePrometheusText('# TYPE foo gauge\nfoo{a="1} 1\n')).toThrow();
    expect(() => parsePrometheusText("# TYPE foo gauge\nfoo 1\nfoo 2\n")).toThrow(/repeated/);
    expect(() =>
      parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/cumulative/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n')).toThrow(/count/);
  });
});
