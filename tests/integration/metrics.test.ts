import { beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { getAgentMetrics, getAgentSeries, getOverviewMetrics, listAgentDefinitions } from "@/lib/dal/metrics";
import type { AgentMetrics } from "@/lib/metrics/definitions";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { prepareAgentCharts } from "@/lib/metrics/series";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

/**
 * A fixed, hand-built data set: every expected number below is computed by hand from it, with
 * the arithmetic in the comments. T0 is a UTC midnight; the agents window is [T0, T0 + 6 h).
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2031, 2, 10, 0, 0, 0);
const window6h = { from: T0, to: T0 + 6 * HOUR };
const A = "alpha";
const B = "beta";

type RunStatus = "running" | "waiting_for_human" | "completed" | "escalated" | "failed";
interface SpanSpec {
  kind: string;
  agent: string;
  version: number;
  at: number;
  status?: "ok" | "error";
  durationMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  handoff?: [from: string, to: string];
  /** A fallback's failure (`switchyard.reason`). */
  reason?: string;
}

async function insertRun(opts: {
  status: RunStatus;
  at: number;
  agents: string[];
  costUsd: number;
  durationMs: number | null;
  errors: number;
  spans: SpanSpec[];
}) {
  const conversationId = newId("cnv");
  const runId = newId("run");
  const traceId = newId("t").replace(/[^0-9a-f]/gi, "0").padEnd(32, "0").slice(0, 32);
  const createdAt = new Date(opts.at);
  await testDb().insert(schema.conversations).values({ id: conversationId, status: "resolved", chain: "support", createdAt, updatedAt: createdAt });
  await testDb().insert(schema.runs).values({
    id: runId,
    conversationId,
    chain: "support",
    status: opts.status,
    seq: 1,
    checkpoint: {},
    traceId,
    createdAt,
    costUsd: opts.costUsd,
    durationMs: opts.durationMs,
    errors: opts.errors,
    agents: opts.agents,
  });
  for (const [i, s] of opts.spans.entries()) {
    await testDb()
      .insert(schema.spans)
      .values({
        traceId,
        spanId: `${runId}-${i}`,
        runId,
        name: s.kind,
        kind: s.kind,
        status: s.status ?? "ok",
        agent: s.agent,
        agentVersion: s.version,
        startedAt: new Date(s.at),
        durationMs: s.durationMs ?? null,
        inputTokens: s.inputTokens ?? null,
        outputTokens: s.outputTokens ?? null,
        costUsd: s.costUsd ?? null,
        attributes: s.handoff
          ? { "switchyard.handoff.from": s.handoff[0], "switchyard.handoff.to": s.handoff[1] }
          : s.reason
            ? { "switchyard.reason": s.reason }
            : {},
      });
  }
}

const llm = (agent: string, version: number, at: number, durationMs: number, extra: Partial<SpanSpec> = {}): SpanSpec => ({
  kind: "llm",
  agent,
  version,
  at,
  durationMs,
  ...extra,
});
const handoff = (from: string, to: string, version: number, at: number): SpanSpec => ({ kind: "handoff", agent: from, version, at, handoff: [from, to] });

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;

beforeAll(async () => {
  users = await createOneUserPerRole();
  // r1 completed: beta→alpha, then alpha→beta (which reverses beta's handoff, not alpha's).
  await insertRun({
    status: "completed", at: T0 + 10 * MIN, agents: [A, B], costUsd: 0.1, durationMs: 1000, errors: 1,
    spans: [
      llm(A, 1, T0 + 10 * MIN, 100, { inputTokens: 100, outputTokens: 20, costUsd: 0.01 }),
      llm(A, 1, T0 + 10 * MIN + 1000, 200, { status: "error", inputTokens: 50, outputTokens: 0, costUsd: 0 }),
      { kind: "retry", agent: A, version: 1, at: T0 + 10 * MIN + 2000 },
      { kind: "fallback", agent: A, version: 1, at: T0 + 10 * MIN + 3000, reason: "retries_exhausted" },
      handoff(B, A, 1, T0 + 10 * MIN + 30_000),
      handoff(A, B, 1, T0 + 11 * MIN),
      llm(B, 1, T0 + 12 * MIN, 50, { inputTokens: 10, outputTokens: 5, costUsd: 0.001 }),
    ],
  });
  // r2 escalated: alpha→beta, never reversed, but its run escalated.
  await insertRun({
    status: "escalated", at: T0 + 20 * MIN, agents: [A, B], costUsd: 0.2, durationMs: 3000, errors: 0,
    spans: [
      llm(A, 1, T0 + 20 * MIN, 300, { inputTokens: 100, outputTokens: 20, costUsd: 0.01 }),
      llm(A, 1, T0 + 20 * MIN + 1000, 400, { inputTokens: 100, outputTokens: 20, costUsd: 0.01 }),
      handoff(A, B, 1, T0 + 21 * MIN),
      llm(B, 1, T0 + 22 * MIN, 60, { inputTokens: 10, outputTokens: 5, costUsd: 0.001 }),
    ],
  });
  // r3 completed: alpha→beta reversed by beta→alpha; a span exactly at the window's end.
  await insertRun({
    status: "completed", at: T0 + 3 * HOUR + 10 * MIN, agents: [A, B], costUsd: 0.05, durationMs: 2000, errors: 0,
    spans: [
      llm(A, 1, T0 + 3 * HOUR + 10 * MIN, 1000, { inputTokens: 200, outputTokens: 40, costUsd: 0.02 }),
      handoff(A, B, 1, T0 + 3 * HOUR + 11 * MIN),
      handoff(B, A, 1, T0 + 3 * HOUR + 12 * MIN),
      llm(A, 1, T0 + 6 * HOUR, 7000, { inputTokens: 1, outputTokens: 1, costUsd: 1 }),
    ],
  });
  // r4 still running: counts for cost, not for escalation.
  await insertRun({
    status: "running", at: T0 + 3 * HOUR + 20 * MIN, agents: [A], costUsd: 0.01, durationMs: null, errors: 0,
    spans: [{ kind: "tool", agent: A, version: 1, at: T0 + 3 * HOUR + 20 * MIN }],
  });
  // r5 failed: beta version 2.
  await insertRun({
    status: "failed", at: T0 + 3 * HOUR + 30 * MIN, agents: [B], costUsd: 0.02, durationMs: 5000, errors: 2,
    spans: [
      llm(B, 2, T0 + 3 * HOUR + 30 * MIN, 80, { inputTokens: 30, outputTokens: 10, costUsd: 0.002 }),
      llm(B, 2, T0 + 3 * HOUR + 31 * MIN, 120, { status: "error", inputTokens: 30, outputTokens: 0, costUsd: 0 }),
      { kind: "retry", agent: B, version: 2, at: T0 + 3 * HOUR + 32 * MIN },
      { kind: "retry", agent: B, version: 2, at: T0 + 3 * HOUR + 33 * MIN },
      { kind: "fallback", agent: B, version: 2, at: T0 + 3 * HOUR + 34 * MIN, reason: "breaker_open" },
    ],
  });
  // r6 before the agents window (inside the overview's 24 h): escalated, expensive, slow.
  await insertRun({
    status: "escalated", at: T0 - HOUR, agents: [A], costUsd: 9, durationMs: 4000, errors: 3,
    spans: [llm(A, 1, T0 - HOUR, 5000, { inputTokens: 1, outputTokens: 1, costUsd: 9 })],
  });
});

function row(rows: AgentMetrics[], agent: string, version: number) {
  const r = rows.find((x) => x.agent === agent && x.version === version);
  expect(r, `${agent} v${version}`).toBeDefined();
  return r!;
}

describe("per-agent metrics over a fixed data set", () => {
  it("computes latency percentiles, tokens, cost, success, retry and fallback rates from llm spans in [from, to)", async () => {
    signInAs(users.engineer.id);
    const rows = await getAgentMetrics(window6h);
    expect(rows.map((r) => `${r.agent}@${r.version}`)).toEqual(["alpha@1", "beta@1", "beta@2"]);

    // alpha v1 llm durations in the window: 100, 200, 300, 400, 1000 (5000 is before it, 7000 at its end).
    // percentile_cont(p): rank p·(n−1) interpolated. p50: rank 2 → 300.
    // p95: rank 3.8 → 400 + 0.8·(1000 − 400) = 880. p99: rank 3.96 → 400 + 0.96·600 = 976.
    const a = row(rows, A, 1);
    expect(a.llmCalls).toBe(5);
    expect(a.latencyP50Ms).toBeCloseTo(300, 9);
    expect(a.latencyP95Ms).toBeCloseTo(880, 9);
    expect(a.latencyP99Ms).toBeCloseTo(976, 9);
    expect(a.inputTokens).toBe(100 + 50 + 100 + 100 + 200);
    expect(a.outputTokens).toBe(20 + 0 + 20 + 20 + 40);
    expect(a.costUsd).toBeCloseTo(0.05, 12);
    expect(a.successRate).toBeCloseTo(4 / 5, 12); // one of five calls failed
    expect(a.retryRate).toBeCloseTo(1 / 5, 12); // one retry span per five calls
    expect(a.fallbackRate).toBeCloseTo(1 / 5, 12); // one call of five failed and fell back

    // beta v1: 50, 60 → p50 55, p95 50 + 0.95·10 = 59.5, p99 50 + 0.99·10 = 59.9.
    const b1 = row(rows, B, 1);
    expect(b1.latencyP50Ms).toBeCloseTo(55, 9);
    expect(b1.latencyP95Ms).toBeCloseTo(59.5, 9);
    expect(b1.latencyP99Ms).toBeCloseTo(59.9, 9);
    expect(b1.successRate).toBe(1);
    expect(b1.retryRate).toBe(0);
    expect(b1.fallbackRate).toBe(0);

    // beta v2: 80, 120 (one failed), two retries → p95 80 + 0.95·40 = 118, success 1/2, retry 2/2.
    const b2 = row(rows, B, 2);
    expect(b2.latencyP95Ms).toBeCloseTo(118, 9);
    expect(b2.latencyP99Ms).toBeCloseTo(119.6, 9);
    expect(b2.successRate).toBe(0.5);
    expect(b2.retryRate).toBe(1);
    // An open breaker sent no call: 1 fallback over 2 calls and 1 turn without one.
    expect(b2.fallbackRate).toBeCloseTo(1 / 3, 12);
  });

  it("computes escalation rate, handoff accuracy and cost per resolved conversation from runs", async () => {
    signInAs(users.admin.id);
    const rows = await getAgentMetrics(window6h);
    const a = row(rows, A, 1);
    // alpha's runs in the window: r1 completed, r2 escalated, r3 completed, r4 running (r6 is before).
    expect(a.runs).toBe(4);
    expect(a.escalationRate).toBeCloseTo(1 / 3, 12); // r4 has not settled
    expect(a.completedRuns).toBe(2);
    expect(a.costPerResolvedUsd).toBeCloseTo((0.1 + 0.2 + 0.05 + 0.01) / 2, 12);
    // alpha's handoffs: r1 correct; r2 in an escalated run; r3 reversed by beta → 1 of 3.
    expect(a.handoffs).toBe(3);
    expect(a.handoffAccuracy).toBeCloseTo(1 / 3, 12);

    const b1 = row(rows, B, 1);
    expect(b1.runs).toBe(3); // r1, r2, r3
    expect(b1.escalationRate).toBeCloseTo(1 / 3, 12);
    expect(b1.costPerResolvedUsd).toBeCloseTo((0.1 + 0.2 + 0.05) / 2, 12);
    // beta's handoffs: r1's was reversed by alpha's later one; r3's (the reversal) stands → 1 of 2.
    expect(b1.handoffs).toBe(2);
    expect(b1.handoffAccuracy).toBe(0.5);

    const b2 = row(rows, B, 2);
    expect(b2.runs).toBe(1);
    expect(b2.escalationRate).toBe(0); // failed is settled but not escalated
    expect(b2.costPerResolvedUsd).toBeNull(); // nothing completed: a gap, not $0
    expect(b2.handoffAccuracy).toBeNull();
  });

  it("buckets the time series hourly with gaps, and daily for long ranges", async () => {
    signInAs(users.engineer.id);
    const hourly = await getAgentSeries(window6h, "hour");
    const alpha = hourly.filter((r) => r.agent === A);
    expect(alpha.map((r) => (r.bucket - T0) / HOUR)).toEqual([0, 3]);
    // hour 0: 100, 200 (error), 300, 400 → p95 rank 2.85 → 300 + 0.85·100 = 385; cost 0.03.
    expect(alpha[0]).toMatchObject({ llmCalls: 4, llmErrors: 1 });
    expect(alpha[0]?.latencyP95Ms).toBeCloseTo(385, 9);
    expect(alpha[0]?.costUsd).toBeCloseTo(0.03, 12);
    expect(alpha[1]).toMatchObject({ llmCalls: 1, llmErrors: 0, latencyP95Ms: 1000 });
    // beta (all versions) hour 3: 80, 120 → p95 118, error rate 1/2.
    const beta3 = hourly.find((r) => r.agent === B && r.bucket === T0 + 3 * HOUR);
    expect(beta3).toMatchObject({ llmCalls: 2, llmErrors: 1 });
    expect(beta3?.latencyP95Ms).toBeCloseTo(118, 9);

    const charts = prepareAgentCharts(hourly, window6h, "hour");
    const p95 = charts.find((c) => c.id === "latency_p95")!;
    const alphaKey = p95.lines.find((l) => l.name === A)!.key;
    const alphaP95 = p95.data.map((d) => d.values[alphaKey]);
    expect(alphaP95.map((v) => (v === null || v === undefined ? v : Math.round(v * 1e6) / 1e6))).toEqual([385, null, null, 1000, null, null]);
    const errors = charts.find((c) => c.id === "error_rate")!;
    expect(errors.data.map((d) => d.values[alphaKey])).toEqual([0.25, null, null, 0, null, null]);

    // Two days, daily: alpha's 6 calls of day 0 include the one at T0 + 6 h; day 1 is a gap.
    const daily = await getAgentSeries({ from: T0, to: T0 + 48 * HOUR + 1 }, "day");
    const alphaDaily = daily.filter((r) => r.agent === A);
    expect(alphaDaily.map((r) => r.bucket)).toEqual([T0]);
    // 100, 200, 300, 400, 1000, 7000 → p95 rank 4.75 → 1000 + 0.75·6000 = 5500.
    expect(alphaDaily[0]?.llmCalls).toBe(6);
    expect(alphaDaily[0]?.latencyP95Ms).toBeCloseTo(5500, 9);
  });

  it("rejects an unbounded window", async () => {
    signInAs(users.engineer.id);
    await expect(getAgentMetrics({ from: T0 - 40 * 24 * HOUR, to: T0 })).rejects.toThrow(RangeError);
  });
});

describe("overview numbers of the last 24 hours", () => {
  it("counts conversations, rates, p95 turn latency, spend and errors, with hourly buckets", async () => {
    signInAs(users.support_lead.id);
    const m = await getOverviewMetrics(T0 + 6 * HOUR); // window [T0 − 18 h, T0 + 6 h): all six runs
    expect(m.totals).toMatchObject({ conversations: 6, runs: 6, settledRuns: 5, completedRuns: 2, escalatedRuns: 2, errors: 1 + 2 + 3 });
    // settled durations 1000, 2000, 3000, 4000, 5000 → p95 rank 3.8 → 4000 + 0.8·1000 = 4800.
    expect(m.totals.turnLatencyP95Ms).toBeCloseTo(4800, 9);
    expect(m.totals.costUsd).toBeCloseTo(0.1 + 0.2 + 0.05 + 0.01 + 0.02 + 9, 12);
    expect(m.conversationHours.map((h) => [(h.bucket - T0) / HOUR, h.conversations])).toEqual([[-1, 1], [0, 2], [3, 3]]);
    const hour0 = m.runHours.find((h) => h.bucket === T0);
    expect(hour0).toMatchObject({ settledRuns: 2, completedRuns: 1, escalatedRuns: 1 });
    expect(hour0?.turnLatencyP95Ms).toBeCloseTo(2900, 9); // 1000, 3000 → 1000 + 0.95·2000
  });
});

describe("who may read metrics", () => {
  it("refuses agents metrics to a support lead and to anonymous visitors, allows engineers and admins", async () => {
    signInAs(users.support_lead.id);
    await expect(getAgentMetrics(window6h)).rejects.toMatchObject({ code: "forbidden" });
    await expect(getAgentSeries(window6h, "hour")).rejects.toBeInstanceOf(AppError);
    await expect(listAgentDefinitions()).rejects.toMatchObject({ code: "forbidden" });
    signInAs(null);
    await expect(getAgentMetrics(window6h)).rejects.toMatchObject({ code: "unauthorized" });
    await expect(getOverviewMetrics(T0)).rejects.toMatchObject({ code: "unauthorized" });
    for (const u of [users.engineer, users.admin]) {
      signInAs(u.id);
      await expect(getAgentMetrics(window6h)).resolves.toHaveLength(3);
    }
    signInAs(users.engineer.id);
    const defs = await listAgentDefinitions();
    expect(defs.find((d) => d.name === "triage")).toMatchObject({ chain: "support", version: 1, tier: "fast", tools: [], handoffs: ["billing", "technical", "general"] });
  });
});
