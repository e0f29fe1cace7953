import { describe, expect, it } from "vitest";
import { budgetShare, lastDays, prepareDailyCost } from "@/lib/costs/charts";
import { describeScope, parseScope } from "@/lib/costs/scopes";

describe("lastDays", () => {
  it("lists UTC days oldest first, across a month end", () => {
    expect(lastDays("2031-03-02", 4)).toEqual(["2031-02-27", "2031-02-28", "2031-03-01", "2031-03-02"]);
  });
});

describe("prepareDailyCost", () => {
  const days = ["2031-01-01", "2031-01-02", "2031-01-03"];

  it("stacks one series per key, ordered by total spend, with zero on days without spend", () => {
    const chart = prepareDailyCost(
      [
        { day: "2031-01-01", key: "billing", costUsd: 1 },
        { day: "2031-01-03", key: "billing", costUsd: 2 },
        { day: "2031-01-02", key: "triage", costUsd: 5 },
      ],
      days,
      4,
    );
    expect(chart.series.map((s) => s.key)).toEqual(["triage", "billing"]);
    expect(chart.data.map((d) => d.values)).toEqual([
      { triage: 0, billing: 1 },
      { triage: 5, billing: 0 },
      { triage: 0, billing: 2 },
    ]);
    expect(chart.data.map((d) => d.label)).toEqual(["01-01", "01-02", "01-03"]);
    expect(chart).toMatchObject({ hasData: true, budgetUsd: 4 });
  });

  it("folds the smallest series into other beyond the limit, keeping the totals", () => {
    const rows = ["a", "b", "c", "d"].map((key, i) => ({ day: "2031-01-01", key, costUsd: 10 - i }));
    const chart = prepareDailyCost(rows, days, null, 3);
    expect(chart.series.map((s) => s.key)).toEqual(["a", "b", "other"]);
    expect(chart.data[0]?.values).toEqual({ a: 10, b: 9, other: 15 });
  });

  it("has no data when nothing falls within the days", () => {
    expect(prepareDailyCost([{ day: "2030-12-31", key: "a", costUsd: 1 }], days, null).hasData).toBe(false);
  });
});

describe("budget scopes", () => {
  it.each([
    ["conversation:default", "conversation_default", null, "Each conversation (default)"],
    ["conversation:chain:support", "conversation_chain", "support", "Each support conversation"],
    ["daily:global", "daily_global", null, "All spend per day"],
    ["daily:agent:billing", "daily_agent", "billing", "Agent billing per day"],
    ["daily:api_key:key_1", "daily_api_key", "key_1", "API key Help desk per day"],
  ] as const)("%s", (scope, kind, target, label) => {
    expect(parseScope(scope)).toEqual({ kind, target });
    expect(describeScope(scope, { key_1: "Help desk" })).toBe(label);
  });

  it("rejects unknown scopes", () => {
    expect(parseScope("weekly:global")).toBeNull();
    expect(parseScope("daily:agent:")).toBeNull();
  });

  it("computes the share of a budget used, beyond 100% on an overspend", () => {
    expect(budgetShare(1, 4)).toBe(0.25);
    expect(budgetShare(5, 4)).toBe(1.25);
  });
});
