import { z } from "zod";
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

const armStatsSchema = z.object({
  runs: z.number(),
  failed: z.number(),
  escalated: z.number(),
  resolved: z.number(),
  costUsd: z.number(),
  evalCount: z.number(),
  evalScore: z.number().nullable(),
  breakerTrips: z.number().optional(),
});

/** `rollouts.last_verdict` as the guard writes it (lib/rollouts/guard-runner.ts). */
const storedReadingSchema = z.object({
  action: z.enum(["hold", "advance", "rollback"]),
  reason: z.string().optional(),
  at: z.string(),
});
const storedArmsSchema = z.object({ canary: armStatsSchema, stable: armStatsSchema });

/** The guard's latest reading of a rollout, for the rollout page. */
export interface GuardReading {
  action: "hold" | "advance" | "rollback";
  reason: string | null;
  at: string;
  /** Canary beside stable as the guard read them; null when the stored reading lacks them. */
  comparison: ComparisonRow[] | null;
}

/**
 * The guard's stored reading, read back. The guard computes both arms' stats on its own tick and
 * stores them with its verdict, so the page shows those rather than scanning the runs again on
 * every refresh. Null when there is no reading yet or it cannot be read.
 */
export function guardReadingOf(lastVerdict: unknown): GuardReading | null {
  const reading = storedReadingSchema.safeParse(lastVerdict);
  if (!reading.success) return null;
  const arms = storedArmsSchema.safeParse(lastVerdict);
  return {
    action: reading.data.action,
    reason: reading.data.reason ?? null,
    at: reading.data.at,
    comparison: arms.success ? prepareComparison(arms.data.canary, arms.data.stable) : null,
  };
}
