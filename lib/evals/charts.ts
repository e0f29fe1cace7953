import { formatBucketTick, formatBucketTitle } from "@/lib/metrics/format";
import { type Bucket, bucketStarts, type TimeRange } from "@/lib/metrics/range";
import { fillBuckets, seriesPalette, type TimeChart } from "@/lib/metrics/series";

/** Mean eval score of one agent version in one bucket. */
export interface ScoreSeriesRow {
  agent: string;
  version: number;
  bucket: number;
  score: number;
  count: number;
}

/** The evaluations page's trend: one line per agent version, gaps where nothing was scored. */
export function prepareScoreChart(rows: readonly ScoreSeriesRow[], range: TimeRange, bucket: Bucket): TimeChart {
  const names = [...new Set(rows.map((r) => `${r.agent} v${r.version}`))].sort((a, b) => a.localeCompare(b));
  const lines = names.map((name, i) => ({ key: `s${i}`, name, color: seriesPalette[i % seriesPalette.length]! }));
  const filled = lines.map((line) =>
    fillBuckets(
      rows.filter((r) => `${r.agent} v${r.version}` === line.name).map((r) => ({ t: r.bucket, value: r.score })),
      range,
      bucket,
    ),
  );
  const data = bucketStarts(range, bucket).map((t, i) => ({
    t,
    label: formatBucketTick(t, bucket),
    title: formatBucketTitle(t, bucket),
    values: Object.fromEntries(lines.map((line, j) => [line.key, filled[j]?.[i]?.value ?? null])),
  }));
  const hasData = data.some((d) => Object.values(d.values).some((v) => v !== null));
  // Scores live in [0, 1]: a fixed axis keeps a dip from looking like a cliff.
  return { id: "eval_score", title: "Mean eval score", kind: "percent", lines, data, hasData, yMax: 1 };
}
