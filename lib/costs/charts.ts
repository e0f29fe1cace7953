/**
 * Chart preparers of the budgets page: pure, unit-tested, so the renderers decide nothing.
 * A day without spend for a series is 0 here, not a gap: cost is a sum, and "nothing spent" is a
 * real zero (a day outside the recorded history is still a gap, shown by `hasData`).
 */

export interface DailyCostRow {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  key: string;
  costUsd: number;
}

export interface DailyCostChart {
  /** One datum per day, in order: `day` plus one numeric field per series key. */
  data: Array<{ day: string; label: string; values: Record<string, number> }>;
  series: { key: string; name: string; color: string }[];
  hasData: boolean;
  /** The global daily budget drawn across the chart, when one is set. */
  budgetUsd: number | null;
}

/** Okabe–Ito, as lib/metrics/series.ts, so colours read the same across the console. */
const palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7A7A7A", "#332288"] as const;

/** The last `days` UTC days up to and including `today`, oldest first. */
export function lastDays(today: string, days: number): string[] {
  const end = Date.parse(`${today}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/**
 * Stacked daily cost: one series per key (agent or model) ordered by total spend, the smallest
 * beyond `maxSeries - 1` folded into "other" so the legend stays readable.
 */
export function prepareDailyCost(
  rows: readonly DailyCostRow[],
  days: readonly string[],
  budgetUsd: number | null,
  maxSeries = 6,
): DailyCostChart {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.key, (totals.get(r.key) ?? 0) + r.costUsd);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const kept = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const folded = ranked.length > kept.length;
  const keys = folded ? [...kept, "other"] : kept;
  const keyOf = (k: string) => (kept.includes(k) ? k : "other");
  const byDay = new Map(days.map((d) => [d, Object.fromEntries(keys.map((k) => [k, 0])) as Record<string, number>]));
  for (const r of rows) {
    const values = byDay.get(r.day);
    if (values) values[keyOf(r.key)] = (values[keyOf(r.key)] ?? 0) + r.costUsd;
  }
  return {
    data: days.map((day) => ({ day, label: day.slice(5), values: byDay.get(day)! })),
    series: keys.map((key, i) => ({ key, name: key, color: key === "other" ? "#94a3b8" : palette[i % palette.length]! })),
    hasData: rows.some((r) => days.includes(r.day)),
    budgetUsd,
  };
}

/** Share of a budget used, for a progress bar: 0–1 and beyond (an overspend shows as > 100%). */
export function budgetShare(spentUsd: number, limitUsd: number): number {
  return limitUsd > 0 ? spentUsd / limitUsd : 1;
}
