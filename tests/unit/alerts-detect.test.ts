import { describe, expect, it } from "vitest";
import { type AnomalyMetric, detectAnomalies, type MetricPoint } from "@/lib/alerts/detect";

const HOUR = 3_600_000;

/** 25 hourly buckets per (agent, metric): a day of baseline and the bucket being judged. */
function series(agent: string, metric: AnomalyMetric, values: (i: number) => number, n = 25): MetricPoint[] {
  return Array.from({ length: n }, (_, i) => ({ agent, metric, bucket: i * HOUR, value: values(i) }));
}

// Deterministic "noise" of ±10% around a level.
const wobble = (level: number) => (i: number) => level * (1 + 0.1 * Math.sin(i * 1.7));

function steadyTeam(): MetricPoint[] {
  return ["billing", "technical", "triage"].flatMap((agent, k) => [
    ...series(agent, "spend", wobble(0.2 + k * 0.05)),
    ...series(agent, "latency", wobble(800 + k * 100)),
    ...series(agent, "error_rate", wobble(0.02)),
    ...series(agent, "escalation_rate", wobble(0.1)),
  ]);
}

describe("detectAnomalies", () => {
  it("raises nothing on a steady series", () => {
    expect(detectAnomalies(steadyTeam())).toEqual([]);
  });

  it("raises exactly one alert, for the right agent, on a seeded spend spike", () => {
    const points = steadyTeam().map((p) =>
      p.agent === "technical" && p.metric === "spend" && p.bucket === 24 * HOUR ? { ...p, value: p.value * 5 } : p,
    );
    const alerts = detectAnomalies(points);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ agent: "technical", metric: "spend", bucket: 24 * HOUR, rule: "twice_daily_average" });
  });

  it("catches a rise beyond two standard deviations that stays under twice the average", () => {
    const points = series("billing", "latency", (i) => (i < 24 ? 1_000 + (i % 2) * 20 : 1_500));
    expect(detectAnomalies(points)).toEqual([expect.objectContaining({ agent: "billing", metric: "latency", rule: "two_std" })]);
  });

  it("ignores a rise within noise of a very steady window and any drop", () => {
    const flat = series("billing", "spend", (i) => (i < 24 ? 0.01 : 0.0101));
    const drop = series("technical", "spend", (i) => (i < 24 ? 1 : 0));
    expect(detectAnomalies([...flat, ...drop])).toEqual([]);
  });

  it("ignores a doubling of an amount too small to matter", () => {
    const tiny = series("triage", "spend", (i) => (i < 24 ? 0.0004 * (1 + 0.1 * Math.sin(i)) : 0.002));
    expect(detectAnomalies(tiny)).toEqual([]);
    const same = series("triage", "spend", (i) => (i < 24 ? 0.004 * (1 + 0.1 * Math.sin(i)) : 0.02));
    expect(detectAnomalies(same)).toEqual([expect.objectContaining({ agent: "triage", rule: "twice_daily_average" })]);
  });

  it("judges only the newest bucket, and needs a baseline", () => {
    const oldSpike = series("billing", "spend", (i) => (i === 10 ? 50 : 1));
    const young = series("technical", "spend", (i) => (i === 3 ? 50 : 1), 4);
    expect(detectAnomalies([...oldSpike, ...young])).toEqual([]);
  });

  it("alerts on errors appearing where there were none", () => {
    const points = series("triage", "error_rate", (i) => (i < 24 ? 0 : 0.5));
    expect(detectAnomalies(points)).toEqual([expect.objectContaining({ agent: "triage", metric: "error_rate", rule: "two_std" })]);
  });
});
