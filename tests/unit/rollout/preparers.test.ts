import { describe, expect, it } from "vitest";
import { prepareScoreChart } from "@/lib/evals/charts";
import { HOUR_MS } from "@/lib/metrics/range";
import { prepareComparison } from "@/lib/rollouts/comparison";

describe("rollout comparison preparer", () => {
  it("puts canary beside stable per signal, with gaps where an arm has no data", () => {
    const rows = prepareComparison(
      { runs: 10, failed: 1, escalated: 2, resolved: 8, costUsd: 0.08, evalCount: 5, evalScore: 0.6 },
      { runs: 0, failed: 0, escalated: 0, resolved: 0, costUsd: 0, evalCount: 0, evalScore: null },
    );
    expect(rows.map((r) => [r.signal, r.canary, r.stable])).toEqual([
      ["sample", 10, 0],
      ["eval_score", 0.6, null],
      ["error_rate", 0.1, null],
      ["escalation_rate", 0.2, null],
      ["cost_per_resolved", 0.01, null],
      ["breaker_trips", null, null],
    ]);
  });
});

describe("score trend preparer", () => {
  const range = { from: 0, to: 3 * HOUR_MS };

  it("draws one line per agent version with gaps, on a fixed 0–1 axis", () => {
    const chart = prepareScoreChart(
      [
        { agent: "general", version: 1, bucket: 0, score: 0.9, count: 3 },
        { agent: "general", version: 2, bucket: HOUR_MS * 2, score: 0.4, count: 1 },
      ],
      range,
      "hour",
    );
    expect(chart.lines.map((l) => l.name)).toEqual(["general v1", "general v2"]);
    expect(chart.data.map((d) => [d.values.s0, d.values.s1])).toEqual([
      [0.9, null],
      [null, null],
      [null, 0.4],
    ]);
    expect(chart).toMatchObject({ hasData: true, yMax: 1, kind: "percent" });
  });

  it("says when there is nothing to draw", () => {
    expect(prepareScoreChart([], range, "hour").hasData).toBe(false);
  });
});
