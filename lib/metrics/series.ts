import { ratio } from "./definitions";
import { formatBucketTick, formatBucketTitle, type ValueKind } from "./format";
import { type Bucket, bucketStarts, type TimeRange } from "./range";

/** One bucket of a series: `value` null is a gap (no data), never drawn as 0. */
export interface SeriesPoint {
  t: number;
  value: number | null;
}

/**
 * One point per bucket overlapping the range, in order. Buckets the query returned keep their
 * value; the others become gaps. Points outside the range or off the bucket grid are dropped.
 */
export function fillBuckets(points: readonly SeriesPoint[], range: TimeRange, bucket: Bucket): SeriesPoint[] {
  const byStart = new Map(points.map((p) => [p.t, p.value]));
  return bucketStarts(range, bucket).map((t) => {
    const v = byStart.get(t);
    return { t, value: typeof v === "number" && Number.isFinite(v) ? v : null };
  });
}

/** The per-agent, per-bucket aggregate of the agent time-series query. */
export interface AgentSeriesRow {
  agent: string;
  bucket: number;
  llmCalls: number;
  llmErrors: number;
  latencyP95Ms: number | null;
  costUsd: number;
}

export interface ChartLine {
  key: string;
  name: string;
  color: string;
}

export interface ChartDatum {
  t: number;
  /** Axis tick. */
  label: string;
  /** Tooltip heading. */
  title: string;
  /** By line key; null is a gap. */
  values: Record<string, number | null>;
}

export interface TimeChart {
  id: "latency_p95" | "calls" | "cost" | "error_rate" | "eval_score";
  title: string;
  kind: ValueKind;
  lines: ChartLine[];
  data: ChartDatum[];
  /** False when every point of every line is a gap: the renderer shows an empty state. */
  hasData: boolean;
  /** Top of the y axis; null lets the renderer scale to the data. Set when all values are 0,
   *  where auto-scaling would invent an axis (0–400 % for an error rate that never left 0). */
  yMax: number | null;
}

/** Distinguishable on white and for the common colour-vision deficiencies (Okabe–Ito order). */
export const seriesPalette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7A7A7A", "#332288"] as const;

const chartSpecs: { id: TimeChart["id"]; title: string; kind: ValueKind; pick: (r: AgentSeriesRow) => number | null }[] = [
  { id: "latency_p95", title: "LLM latency p95", kind: "ms", pick: (r) => r.latencyP95Ms },
  { id: "calls", title: "LLM calls", kind: "count", pick: (r) => r.llmCalls },
  { id: "cost", title: "Cost", kind: "usd", pick: (r) => r.costUsd },
  { id: "error_rate", title: "LLM error rate", kind: "percent", pick: (r) => ratio(r.llmErrors, r.llmCalls) },
];

/**
 * The four per-agent charts of /agents: one line per agent (colour by sorted name, stable across
 * charts), one datum per bucket of the range, gaps where the agent made no call in a bucket.
 */
export function prepareAgentCharts(rows: readonly AgentSeriesRow[], range: TimeRange, bucket: Bucket): TimeChart[] {
  const agents = [...new Set(rows.map((r) => r.agent))].sort((a, b) => a.localeCompare(b));
  const lines = agents.map((name, i) => ({ key: `a${i}`, name, color: seriesPalette[i % seriesPalette.length]! }));
  const starts = bucketStarts(range, bucket);
  return chartSpecs.map((spec) => {
    const filled = lines.map((line) =>
      fillBuckets(
        rows.filter((r) => r.agent === line.name).map((r) => ({ t: r.bucket, value: spec.pick(r) })),
        range,
        bucket,
      ),
    );
    const data = starts.map((t, i) => ({
      t,
      label: formatBucketTick(t, bucket),
      title: formatBucketTitle(t, bucket),
      values: Object.fromEntries(lines.map((line, j) => [line.key, filled[j]?.[i]?.value ?? null])),
    }));
    const values = data.flatMap((d) => Object.values(d.values)).filter((v): v is number => v !== null);
    const hasData = values.length > 0;
    const yMax = hasData && Math.max(...values) <= 0 ? 1 : null;
    return { id: spec.id, title: spec.title, kind: spec.kind, lines, data, hasData, yMax };
  });
}

export interface Sparkline {
  kind: ValueKind;
  points: { t: number; title: string; value: number | null }[];
  hasData: boolean;
}

/** A headline's small trend line: hourly buckets of the range, gaps kept. */
export function prepareSparkline(points: readonly SeriesPoint[], range: TimeRange, kind: ValueKind): Sparkline {
  const filled = fillBuckets(points, range, "hour");
  return {
    kind,
    points: filled.map((p) => ({ ...p, title: formatBucketTitle(p.t, "hour") })),
    hasData: filled.some((p) => p.value !== null),
  };
}
