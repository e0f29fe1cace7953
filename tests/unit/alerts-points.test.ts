import { describe, expect, it } from "vitest";
import { type AgentHour, metricPoints } from "@/lib/alerts/points";

const hour = (over: Partial<AgentHour>): AgentHour => ({
  agent: "billing",
  bucket: 0,
  calls: null,
  spendUsd: null,
  latencyMs: null,
  errors: null,
  settledRuns: null,
  escalatedRuns: null,
  ...over,
});

describe("metricPoints", () => {
  it("turns a busy hour into all four metrics", () => {
    const points = metricPoints([hour({ calls: 10, spendUsd: 0.5, latencyMs: 800, errors: 2, settledRuns: 8, escalatedRuns: 2 })]);
    expect(points.map((p) => [p.metric, p.value])).toEqual([
      ["spend", 0.5],
      ["latency", 800],
      ["error_rate", 0.2],
      ["escalation_rate", 0.25],
    ]);
  });

  it("leaves hours without calls as gaps, not zeros", () => {
    expect(metricPoints([hour({ settledRuns: 2, escalatedRuns: 0 })])).toEqual([]);
  });

  it("leaves hours with too few samples as gaps, run metrics counted by settled runs", () => {
    expect(metricPoints([hour({ calls: 4, spendUsd: 0.1, latencyMs: 9_000, errors: 2, settledRuns: 2, escalatedRuns: 2 })])).toEqual([]);
    const runsOnly = metricPoints([hour({ calls: 1, spendUsd: 0.1, settledRuns: 5, escalatedRuns: 1 })]);
    expect(runsOnly.map((p) => [p.metric, p.value])).toEqual([["escalation_rate", 0.2]]);
  });
});
