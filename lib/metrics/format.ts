/**
 * Value formatting shared by tables, charts and tooltips. Pure and client-safe: a chart receives
 * a `ValueKind` from its preparer and looks the formatter up here, so the renderer decides nothing.
 */
export type ValueKind = "ms" | "usd" | "percent" | "count" | "tokens";

/** What a gap reads as: a missing value is never shown as 0. */
export const NO_DATA = "no data";

const isNumber = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/** 0.1234 → "12.3%"; whole percentages lose the decimal ("100%", "0%"). */
export function formatPercent(v: number | null | undefined, digits = 1): string {
  if (!isNumber(v)) return NO_DATA;
  const pct = v * 100;
  const fixed = pct.toFixed(digits);
  return `${Number.isInteger(Number(fixed)) ? String(Number(fixed)) : fixed}%`;
}

/** Under a second in ms ("850 ms"), above in seconds ("1.24 s"), from a minute in minutes. */
export function formatMs(v: number | null | undefined): string {
  if (!isNumber(v)) return NO_DATA;
  if (Math.abs(v) < 1000) return `${Math.round(v)} ms`;
  if (Math.abs(v) < 60_000) return `${(v / 1000).toFixed(2)} s`;
  return `${(v / 60_000).toFixed(1)} min`;
}

/**
 * Cents from ten cents up; four decimals below, where single LLM calls and cheap turns are (one
 * rule for a whole column or axis, so $0.0500 and $0.0023 line up instead of "$0.05" beside them).
 */
export function formatUsd(v: number | null | undefined): string {
  if (!isNumber(v)) return NO_DATA;
  if (v === 0) return "$0.00";
  if (Math.abs(v) < 0.1) return `$${v.toFixed(4)}`;
  return `$${v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatCount(v: number | null | undefined): string {
  if (!isNumber(v)) return NO_DATA;
  return Math.round(v).toLocaleString("en-US");
}

/** 950 → "950", 12_345 → "12.3k", 2_500_000 → "2.5M". */
export function formatTokens(v: number | null | undefined): string {
  if (!isNumber(v)) return NO_DATA;
  const a = Math.abs(v);
  if (a < 1000) return String(Math.round(v));
  if (a < 1_000_000) return `${(v / 1000).toFixed(1)}k`;
  return `${(v / 1_000_000).toFixed(1)}M`;
}

const formatters: Record<ValueKind, (v: number | null | undefined) => string> = {
  ms: formatMs,
  usd: formatUsd,
  percent: (v) => formatPercent(v),
  count: formatCount,
  tokens: formatTokens,
};

export function formatValue(kind: ValueKind, v: number | null | undefined): string {
  return formatters[kind](v);
}

const monthDay = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** Axis label of a bucket: "14:00" for hours, "Jan 6" for days (UTC, like the buckets). */
export function formatBucketTick(t: number, bucket: "hour" | "day"): string {
  if (bucket === "day") return monthDay.format(t);
  return `${String(new Date(t).getUTCHours()).padStart(2, "0")}:00`;
}

/** Tooltip title of a bucket: "Jan 6, 14:00–15:00 UTC" or "Jan 6 (UTC)". */
export function formatBucketTitle(t: number, bucket: "hour" | "day"): string {
  if (bucket === "day") return `${monthDay.format(t)} (UTC)`;
  const h = new Date(t).getUTCHours();
  const pad = (n: number) => String(n % 24).padStart(2, "0");
  return `${monthDay.format(t)}, ${pad(h)}:00–${pad(h + 1)}:00 UTC`;
}
