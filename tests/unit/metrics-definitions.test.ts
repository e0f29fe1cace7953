import { describe, expect, it } from "vitest";
import {
  combineAgentMetrics,
  costPerResolved,
  escalationRate,
  fallbackRate,
  handoffAccuracy,
  percentileCont,
  ratio,
  retryRate,
  successRate,
} from "@/lib/metrics/definitions";

describe("percentileCont (PostgreSQL percentile_cont)", () => {
  it("interpolates between the nearest ranks of the sorted values", () => {
    const v = [1000, 100, 400, 200, 300]; // sorted 100 200 300 400 1000
    expect(percentileCont(v, 0.5)).toBe(300); // rank 2
    expect(percentileCont(v, 0.95)).toBeCloseTo(880, 9); // rank 3.8: 400 + 0.8·600
    expect(percentileCont(v, 0.99)).toBeCloseTo(976, 9); // rank 3.96: 400 + 0.96·600
    expect(percentileCont(v, 0)).toBe(100);
    expect(percentileCont(v, 1)).toBe(1000);
  });

  it("is null on no values and the value itself on one", () => {
    expect(percentileCont([], 0.5)).toBeNull();
    expect(percentileCont([42], 0.99)).toBe(42);
  });

  it("rejects p outside [0, 1]", () => {
    expect(() => percentileCont([1], 1.5)).toThrow(RangeError);
  });
});

describe("rates", () => {
  it("are null, not 0, when there is nothing to divide by", () => {
    expect(ratio(0, 0)).toBeNull();
    expect(successRate(0, 0)).toBeNull();
    expect(retryRate(3, 0)).toBeNull();
    expect(escalationRate(0, 0)).toBeNull();
    expect(handoffAccuracy(0, 0)).toBeNull();
    expect(costPerResolved(1.5, 0)).toBeNull();
  });

  it("compute the documented shares", () => {
    expect(successRate(5, 1)).toBe(0.8); // calls without error / calls
    expect(retryRate(6, 4)).toBe(1.5); // may exceed 100 %
    expect(escalationRate(1, 4)).toBe(0.25);
    expect(handoffAccuracy(2, 3)).toBeCloseTo(2 / 3, 12);
    expect(costPerResolved(0.36, 2)).toBeCloseTo(0.18, 12);
    expect(ratio(0, 5)).toBe(0); // a real zero stays zero
  });

  it("counts a fallback against the turns that tried the model, an open breaker's included", () => {
    expect(fallbackRate(1, 4, 0)).toBe(0.25); // one of four calls failed and fell back
    expect(fallbackRate(2, 0, 2)).toBe(1); // the breaker was open: no call, every turn fell back
    expect(fallbackRate(0, 5, 0)).toBe(0); // a real zero
    expect(fallbackRate(0, 0, 0)).toBeNull(); // no turns: a gap, not 0 %
  });
});

describe("combineAgentMetrics", () => {
  const llm = {
    agent: "billing", version: 2, llmCalls: 4, llmErrors: 1, retries: 2, fallbacks: 1, fallbacksWithoutCall: 0,
    p50: 10, p95: 20, p99: 30, inputTokens: 100, outputTokens: 50, costUsd: 0.4,
  };
  it("joins the aggregates per agent version and fills what one of them lacks with gaps", () => {
    const rows = combineAgentMetrics(
      [llm],
      [
        { agent: "billing", version: 2, runs: 3, settledRuns: 2, escalatedRuns: 1, completedRuns: 1, runsCostUsd: 0.9 },
        { agent: "billing", version: 1, runs: 1, settledRuns: 1, escalatedRuns: 0, completedRuns: 1, runsCostUsd: 0.2 },
      ],
      [{ agent: "triage", version: 1, handoffs: 4, correctHandoffs: 3 }],
    );
    expect(rows.map((r) => `${r.agent}@${r.version}`)).toEqual(["billing@1", "billing@2", "triage@1"]);
    expect(rows[1]).toMatchObject({
      llmCalls: 4, successRate: 0.75, retryRate: 0.5, latencyP95Ms: 20, escalationRate: 0.5,
      costPerResolvedUsd: 0.9, handoffs: 0, handoffAccuracy: null, fallbackRate: 0.25,
    });
    expect(rows[0]).toMatchObject({ llmCalls: 0, latencyP50Ms: null, successRate: null, retryRate: null, fallbackRate: null, costPerResolvedUsd: 0.2 });
    expect(rows[2]).toMatchObject({ handoffAccuracy: 0.75, runs: 0, escalationRate: null, costPerResolvedUsd: null });
  });

  it("sorts an unknown version after the known ones", () => {
    const rows = combineAgentMetrics([{ ...llm, version: null }, llm], [], []);
    expect(rows.map((r) => r.version)).toEqual([2, null]);
  });
});
