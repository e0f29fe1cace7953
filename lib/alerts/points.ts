import type { MetricPoint } from "./detect";

/** One agent's hour as the evaluator's aggregate query returns it. */
export interface AgentHour {
  agent: string;
  /** Bucket start, epoch ms. */
  bucket: number;
  /** LLM calls and their cost, mean latency and errors; null when the agent made no call. */
  calls: number | null;
  spendUsd: number | null;
  latencyMs: number | null;
  errors: number | null;
  /** Settled runs the agent took part in and how many of them escalated. */
  settledRuns: number | null;
  escalatedRuns: number | null;
}

/**
 * Below this many samples in an hour a rate or a mean says little (one failed call of two is a
 * 50% error rate), and an agent with a handful of calls an hour doubles its spend by chance, so
 * that hour is a gap in the series rather than a point that may alert. A runaway agent makes
 * plenty of calls.
 */
export const MIN_HOURLY_SAMPLES = 5;

/**
 * The series the detector judges. A missing hour stays a gap, never a zero: an agent that was
 * idle overnight must not lower its own baseline and then alert on the morning's ordinary traffic.
 */
export function metricPoints(hours: readonly AgentHour[], minSamples = MIN_HOURLY_SAMPLES): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const h of hours) {
    const at = { agent: h.agent, bucket: h.bucket };
    const calls = h.calls ?? 0;
    if (calls >= minSamples) {
      if (h.spendUsd !== null) points.push({ ...at, metric: "spend", value: h.spendUsd });
      if (h.latencyMs !== null) points.push({ ...at, metric: "latency", value: h.latencyMs });
      points.push({ ...at, metric: "error_rate", value: (h.errors ?? 0) / calls });
    }
    const settled = h.settledRuns ?? 0;
    if (settled >= minSamples) points.push({ ...at, metric: "escalation_rate", value: (h.escalatedRuns ?? 0) / settled });
  }
  return points;
}
