import { formatMs, formatPercent, formatUsd } from "@/lib/metrics/format";
import type { AnomalyMetric } from "./detect";

/** Client-safe wording of an alert, shared by the budgets page and the overview banner. */
export const metricLabels: Record<AnomalyMetric, string> = {
  spend: "Spend",
  latency: "Mean LLM latency",
  error_rate: "LLM error rate",
  escalation_rate: "Escalation rate",
};

export function formatMetricValue(metric: AnomalyMetric, value: number): string {
  if (metric === "spend") return formatUsd(value);
  if (metric === "latency") return formatMs(value);
  return formatPercent(value);
}

export const ruleLabels = {
  twice_daily_average: "over 2× the daily average",
  two_std: "beyond 2σ of the rolling window",
} as const;

/** "$0.0520 in the hour from 11:00 UTC vs $0.0100 on average (over 2× the daily average)". */
export function describeAlert(alert: {
  metric: AnomalyMetric;
  value: number;
  baseline: number;
  rule: keyof typeof ruleLabels;
  bucket: string;
}): string {
  const hour = alert.bucket.slice(11, 16);
  return `${formatMetricValue(alert.metric, alert.value)} in the hour from ${hour} UTC vs ${formatMetricValue(alert.metric, alert.baseline)} on average (${ruleLabels[alert.rule]})`;
}
