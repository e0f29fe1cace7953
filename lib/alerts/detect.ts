/**
 * Anomaly detection for per-agent metrics (DESIGN.md capability 5), pure so it can be tested as
 * a table of series. Each metric is a series of equal buckets (hourly in the evaluator); the
 * newest bucket is judged against the rolling window of buckets before it:
 *
 * - **2× the daily average**: the value is more than twice the window's mean (the window is a day
 *   of hourly buckets, so its mean is the daily average per bucket);
 * - **2 standard deviations**: the value is above mean + 2σ of the window.
 *
 * Only rises alert: more spend, latency, errors or escalations is what someone must look at; a
 * drop is good news or no traffic. A value must also rise by at least `minRise` of the mean (or,
 * for a zero mean, be at least `minValue`), because a very steady window has a tiny σ and would
 * otherwise alert on noise (a spend of $0.0101 after a day of $0.0100), and by at least
 * `minAbsoluteRise`, because doubling a tiny amount (a tenth of a cent an hour) is not worth a
 * person's attention. Windows with fewer than `minSamples` buckets carry no baseline and never
 * alert.
 */

export const anomalyMetrics = ["spend", "latency", "error_rate", "escalation_rate"] as const;
export type AnomalyMetric = (typeof anomalyMetrics)[number];

export interface MetricPoint {
  agent: string;
  metric: AnomalyMetric;
  /** Bucket start, epoch ms. */
  bucket: number;
  value: number;
}

export interface Anomaly {
  agent: string;
  metric: AnomalyMetric;
  bucket: number;
  value: number;
  baselineMean: number;
  baselineStd: number;
  rule: "twice_daily_average" | "two_std";
}

export interface DetectOptions {
  /** Buckets of baseline before the judged one. */
  windowSize: number;
  minSamples: number;
  /** Smallest rise over the mean, as a share of it, that may alert. */
  minRise: number;
  /** Smallest value that may alert over a mean of zero, per metric. */
  minValue: Readonly<Record<AnomalyMetric, number>>;
  /** Smallest rise over the mean that may alert, per metric, in its unit. */
  minAbsoluteRise: Readonly<Record<AnomalyMetric, number>>;
}

export const defaultDetectOptions: DetectOptions = {
  windowSize: 24,
  minSamples: 6,
  minRise: 0.25,
  minValue: { spend: 0.01, latency: 1_000, error_rate: 0.1, escalation_rate: 0.1 },
  minAbsoluteRise: { spend: 0.01, latency: 250, error_rate: 0.05, escalation_rate: 0.05 },
};

/** The anomalies of the newest bucket of every (agent, metric) series, at most one each. */
export function detectAnomalies(points: readonly MetricPoint[], options: DetectOptions = defaultDetectOptions): Anomaly[] {
  const series = new Map<string, MetricPoint[]>();
  for (const p of points) {
    const key = `${p.agent}\u0000${p.metric}`;
    const list = series.get(key) ?? [];
    list.push(p);
    series.set(key, list);
  }
  const found: Anomaly[] = [];
  for (const list of series.values()) {
    const sorted = [...list].sort((a, b) => a.bucket - b.bucket);
    const current = sorted.at(-1)!;
    const window = sorted.slice(-1 - options.windowSize, -1).map((p) => p.value);
    const anomaly = judge(current, window, options);
    if (anomaly) found.push(anomaly);
  }
  return found.sort((a, b) => a.agent.localeCompare(b.agent) || a.metric.localeCompare(b.metric));
}

function judge(current: MetricPoint, window: readonly number[], options: DetectOptions): Anomaly | null {
  if (window.length < options.minSamples) return null;
  const mean = window.reduce((a, b) => a + b, 0) / window.length;
  const std = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / window.length);
  const value = current.value;
  const risesEnough =
    value - mean >= options.minAbsoluteRise[current.metric] &&
    (mean > 0 ? value - mean >= options.minRise * mean : value >= options.minValue[current.metric]);
  if (!risesEnough) return null;
  const rule = mean > 0 && value > 2 * mean ? "twice_daily_average" : value > mean + 2 * std ? "two_std" : null;
  if (!rule) return null;
  return { agent: current.agent, metric: current.metric, bucket: current.bucket, value, baselineMean: mean, baselineStd: std, rule };
}
