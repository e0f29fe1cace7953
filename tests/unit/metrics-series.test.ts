import { describe, expect, it } from "vitest";
import { type AgentSeriesRow, fillBuckets, prepareAgentCharts, prepareSparkline, seriesPalette } from "@/lib/metrics/series";

const H = 3_600_000;
const T0 = Date.UTC(2031, 0, 6, 0);
const range = { from: T0, to: T0 + 4 * H };

describe("fillBuckets", () => {
  it("keeps returned buckets, turns missing ones into gaps and drops points off the grid", () => {
    const filled = fillBuckets(
      [
        { t: T0, value: 5 },
        { t: T0 + 2 * H, value: 0 },
        { t: T0 + 30 * 60_000, value: 9 }, // not a bucket start
        { t: T0 + 10 * H, value: 7 }, // outside the range
      ],
      range,
      "hour",
    );
    expect(filled).toEqual([
      { t: T0, value: 5 },
      { t: T0 + H, value: null },
      { t: T0 + 2 * H, value: 0 }, // a real zero stays a zero
      { t: T0 + 3 * H, value: null },
    ]);
  });

  it("turns a non-finite value into a gap", () => {
    expect(fillBuckets([{ t: T0, value: Number.NaN }], range, "hour")[0]?.value).toBeNull();
  });
});

describe("prepareAgentCharts", () => {
  const rows: AgentSeriesRow[] = [
    { agent: "triage", bucket: T0, llmCalls: 4, llmErrors: 1, latencyP95Ms: 300, costUsd: 0.03 },
    { agent: "billing", bucket: T0 + H, llmCalls: 2, llmErrors: 0, latencyP95Ms: 900, costUsd: 0.02 },
    { agent: "triage", bucket: T0 + 3 * H, llmCalls: 1, llmErrors: 1, latencyP95Ms: null, costUsd: 0 },
  ];
  const charts = prepareAgentCharts(rows, range, "hour");

  it("makes the four charts with one line per agent, coloured by sorted name", () => {
    expect(charts.map((c) => [c.id, c.kind])).toEqual([
      ["latency_p95", "ms"],
      ["calls", "count"],
      ["cost", "usd"],
      ["error_rate", "percent"],
    ]);
    expect(charts[0]?.lines).toEqual([
      { key: "a0", name: "billing", color: seriesPalette[0] },
      { key: "a1", name: "triage", color: seriesPalette[1] },
    ]);
  });

  it("has one datum per bucket with gaps where an agent made no call", () => {
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    const values = (id: string, key: string) => byId[id]!.data.map((d) => d.values[key]);
    expect(byId.calls!.data.map((d) => d.label)).toEqual(["00:00", "01:00", "02:00", "03:00"]);
    expect(values("calls", "a1")).toEqual([4, null, null, 1]);
    expect(values("calls", "a0")).toEqual([null, 2, null, null]);
    expect(values("error_rate", "a1")).toEqual([0.25, null, null, 1]);
    expect(values("latency_p95", "a1")).toEqual([300, null, null, null]);
    expect(values("cost", "a1")).toEqual([0.03, null, null, 0]);
    expect(byId.calls!.data[1]?.title).toBe("Jan 6, 01:00–02:00 UTC");
  });

  it("fixes the axis of an all-zero chart and lets the others scale", () => {
    const zero = prepareAgentCharts([{ ...rows[0]!, llmErrors: 0 }], range, "hour");
    expect(zero.find((c) => c.id === "error_rate")?.yMax).toBe(1); // 0–100 %, not an invented 0–400 %
    expect(zero.find((c) => c.id === "calls")?.yMax).toBeNull();
  });

  it("says when a chart has nothing to draw", () => {
    expect(charts.every((c) => c.hasData)).toBe(true);
    const empty = prepareAgentCharts([], range, "hour");
    expect(empty.every((c) => !c.hasData && c.lines.length === 0 && c.data.length === 4)).toBe(true);
  });
});

describe("prepareSparkline", () => {
  it("fills hourly buckets and keeps gaps", () => {
    const s = prepareSparkline([{ t: T0 + H, value: 3 }], range, "count");
    expect(s.points.map((p) => p.value)).toEqual([null, 3, null, null]);
    expect(s.hasData).toBe(true);
    expect(s.kind).toBe("count");
    expect(prepareSparkline([], range, "usd").hasData).toBe(false);
  });
});
