import { describe, expect, it } from "vitest";
import { can } from "@/lib/auth/permissions";
import { hasTraffic, type OverviewMetrics, prepareHeadlines } from "@/lib/metrics/overview";

const H = 3_600_000;
const now = Date.UTC(2031, 0, 6, 12, 30);
const metrics: OverviewMetrics = {
  range: { from: now - 24 * H, to: now },
  totals: { conversations: 12, runs: 10, settledRuns: 8, completedRuns: 6, escalatedRuns: 1, turnLatencyP95Ms: 4321, costUsd: 1.5, errors: 3 },
  conversationHours: [{ bucket: Date.UTC(2031, 0, 6, 12), conversations: 12 }],
  runHours: [
    { bucket: Date.UTC(2031, 0, 6, 11), settledRuns: 0, completedRuns: 0, escalatedRuns: 0, turnLatencyP95Ms: null, costUsd: 0.5, errors: 0 },
    { bucket: Date.UTC(2031, 0, 6, 12), settledRuns: 8, completedRuns: 6, escalatedRuns: 1, turnLatencyP95Ms: 4321, costUsd: 1, errors: 3 },
  ],
};

describe("prepareHeadlines", () => {
  it("formats the six numbers of the last 24 hours", () => {
    const h = prepareHeadlines(metrics, () => true);
    expect(h.map((x) => [x.id, x.value])).toEqual([
      ["conversations", "12"],
      ["resolution_rate", "75%"], // 6 of 8 settled
      ["escalation_rate", "12.5%"], // 1 of 8 settled
      ["turn_latency_p95", "4.32 s"],
      ["spend", "$1.50"],
      ["errors", "3"],
    ]);
  });

  it("gives each an hourly sparkline over 25 buckets, an hour without settled runs being a gap", () => {
    const h = prepareHeadlines(metrics, () => true);
    const resolution = h.find((x) => x.id === "resolution_rate")!.sparkline.points;
    expect(resolution).toHaveLength(25);
    expect(resolution.slice(-2).map((p) => p.value)).toEqual([null, 0.75]);
    const spend = h.find((x) => x.id === "spend")!.sparkline.points;
    expect(spend.slice(-3).map((p) => p.value)).toEqual([null, 0.5, 1]);
  });

  it("links only into the areas the role may open", () => {
    const links = (role: "support_lead" | "engineer" | "admin") =>
      prepareHeadlines(metrics, (p) => can(role, p)).map((x) => x.link?.href ?? null);
    expect(links("support_lead")).toEqual(["/conversations", "/conversations", "/inbox", null, null, null]);
    expect(links("engineer")).toEqual(["/conversations", "/conversations", "/inbox", "/traces", "/budgets", "/traces"]);
  });

  it("shows spend and errors as gaps, and the rates as gaps, when nothing ran", () => {
    const idle: OverviewMetrics = {
      ...metrics,
      totals: { conversations: 0, runs: 0, settledRuns: 0, completedRuns: 0, escalatedRuns: 0, turnLatencyP95Ms: null, costUsd: 0, errors: 0 },
      conversationHours: [],
      runHours: [],
    };
    expect(hasTraffic(idle)).toBe(false);
    expect(hasTraffic(metrics)).toBe(true);
    expect(prepareHeadlines(idle, () => true).map((x) => x.value)).toEqual(["0", "no data", "no data", "no data", "no data", "no data"]);
  });
});
