import type { ValueKind } from "@/lib/metrics/format";
import { armRates, type ArmStats, type GuardSignal, signalLabel } from "@/lib/runtime/rollout";

export interface ComparisonRow {
  signal: GuardSignal | "sample";
  label: string;
  kind: ValueKind;
  canary: number | null;
  stable: number | null;
}

/** Canary beside stable, signal by signal, for the rollout page's table and bars. */
export function prepareComparison(canary: ArmStats, stable: ArmStats): ComparisonRow[] {
  const c = armRates(canary);
  const s = armRates(stable);
  const row = (signal: ComparisonRow["signal"], kind: ValueKind, a: number | null, b: number | null): ComparisonRow => ({
    signal,
    label: signal === "sample" ? "settled runs" : signalLabel(signal),
    kind,
    canary: a,
    stable: b,
  });
  return [
    row("sample", "count", canary.runs, stable.runs),
    row("eval_score", "percent", canary.evalScore, stable.evalScore),
    row("error_rate", "percent", c.errorRate, s.errorRate),
    row("escalation_rate", "percent", c.escalationRate, s.escalationRate),
    row("cost_per_resolved", "usd", c.costPerResolved, s.costPerResolved),
    row("breaker_trips", "percent", canary.breakerTrips ?? null, stable.breakerTrips ?? null),
  ];
}
