/**
 * The Prometheus text exposition format (version 0.0.4), written by hand.
 *
 * Why not prom-client: its metrics are built by observing values in this process (`inc`,
 * `observe`). Switchyard's values are aggregates computed in Postgres on each scrape; counters and
 * gauges could be set that way, but a histogram's bucket counts cannot be set at all through
 * prom-client's public API. The format itself is small and specified:
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface HistogramSample {
  labels: Labels;
  /** Upper bounds (ascending, without +Inf) and the cumulative count at or below each. */
  buckets: readonly { le: number; count: number }[];
  count: number;
  sum: number;
}

export type MetricFamily =
  | { name: string; help: string; type: "counter" | "gauge"; samples: readonly Sample[] }
  | { name: string; help: string; type: "histogram"; samples: readonly HistogramSample[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Renders metric families; names and label names are checked (a bad one is a programming error). */
export function renderMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name ${family.name}`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === "histogram") {
      for (const s of family.samples) {
        for (const b of s.buckets) {
          lines.push(sampleLine(`${family.name}_bucket`, { ...s.labels, le: formatValue(b.le) }, b.count));
        }
        lines.push(sampleLine(`${family.name}_bucket`, { ...s.labels, le: "+Inf" }, s.count));
        lines.push(sampleLine(`${family.name}_sum`, s.labels, s.sum));
        lines.push(sampleLine(`${family.name}_count`, s.labels, s.count));
      }
    } else {
      for (const s of family.samples) lines.push(sampleLine(family.name, s.labels, s.value));
    }
  }
  return `${lines.join("\n")}\n`;
}

function sampleLine(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => {
    if (!LABEL_NAME.test(k) || k.startsWith("__")) throw new Error(`invalid label name ${k}`);
    return `${k}="${escapeLabel(v)}"`;
  });
  return `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const escapeHelp = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabel = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
