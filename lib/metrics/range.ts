import { z } from "zod";

/**
 * Time windows of the metrics views. Every window is half-open, [from, to), so a span that starts
 * exactly on a boundary is counted once. Buckets are aligned to UTC (the SQL uses date_bin with a
 * UTC-midnight origin), so the server's time zone never moves a point.
 */
export const rangePresets = ["1h", "24h", "7d", "30d"] as const;
export type RangePreset = (typeof rangePresets)[number];
export const DEFAULT_RANGE: RangePreset = "24h";

/** Validates `?range=`; anything unknown falls back to the default rather than failing the page. */
export const rangePresetSchema = z.enum(rangePresets).catch(DEFAULT_RANGE);

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const rangeLabels: Record<RangePreset, string> = {
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};

const presetMs: Record<RangePreset, number> = {
  "1h": HOUR_MS,
  "24h": DAY_MS,
  "7d": 7 * DAY_MS,
  "30d": 30 * DAY_MS,
};

/** The longest window a metrics query may scan (the 30-day preset plus slack for a custom range). */
export const MAX_RANGE_MS = 31 * DAY_MS;

export interface TimeRange {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

export type Bucket = "hour" | "day";

/** Hourly buckets up to 48 hours, daily beyond: enough points to read, never thousands. */
export function bucketFor(range: TimeRange): Bucket {
  return range.to - range.from <= 48 * HOUR_MS ? "hour" : "day";
}

export function bucketMs(bucket: Bucket): number {
  return bucket === "hour" ? HOUR_MS : DAY_MS;
}

/** The preset's window ending now. */
export function resolveRange(preset: RangePreset, now: number): TimeRange {
  return { from: now - presetMs[preset], to: now };
}

/**
 * Rejects an empty, inverted or unbounded window: every metrics query is bounded by one.
 * @throws RangeError
 */
export function assertBoundedRange(range: TimeRange): void {
  if (!Number.isFinite(range.from) || !Number.isFinite(range.to) || range.to <= range.from) {
    throw new RangeError("the time range must have from < to");
  }
  if (range.to - range.from > MAX_RANGE_MS) {
    throw new RangeError("the time range may span at most 31 days");
  }
}

/**
 * Start of every bucket that overlaps [from, to), aligned like SQL's
 * `date_bin(interval, t, '2000-01-01 00:00:00+00')` (UTC midnight, so also epoch-aligned).
 */
export function bucketStarts(range: TimeRange, bucket: Bucket): number[] {
  const step = bucketMs(bucket);
  const starts: number[] = [];
  for (let t = Math.floor(range.from / step) * step; t < range.to; t += step) starts.push(t);
  return starts;
}
