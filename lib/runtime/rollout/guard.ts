/**
 * The rollout guard: a pure verdict comparing the canary with the stable version. It advances a
 * stage only when the canary has its minimum sample and every signal holds, and rolls back as
 * soon as one signal breaks; the verdict carries every number so the decision record can show why.
 */

/** One arm's outcomes over the guard's window, counted per settled run (conversation turn). */
export interface ArmStats {
  readonly runs: number;
  readonly failed: number;
  readonly escalated: number;
  readonly resolved: number;
  readonly costUsd: number;
  readonly evalCount: number;
  /** Mean eval score in [0, 1], or null without scores. */
  readonly evalScore: number | null;
  /**
   * Breaker trips per run attributed to the arm (lib/rollouts/breaker-trips.ts); undefined when
   * no breaker source is wired in.
   */
  readonly breakerTrips?: number;
}

export interface GuardConfig {
  /** Settled canary runs needed before the guard judges a stage. */
  readonly minSample: number;
  /** Scored canary (and stable) runs needed to judge the eval score. */
  readonly minEvalSample: number;
  /** Absolute drop of the mean eval score that breaks the signal. */
  readonly maxScoreDrop: number;
  /** Absolute rise of the error rate that breaks the signal. */
  readonly maxErrorRateRise: number;
  /** Absolute rise of the escalation rate that breaks the signal. */
  readonly maxEscalationRateRise: number;
  /** Relative rise of the cost per resolved conversation that breaks the signal (0.25 = +25%). */
  readonly maxCostRise: number;
  /** Extra breaker trips per run tolerated on the canary (0.02: two more per hundred runs). */
  readonly maxExtraBreakerTrips: number;
}

export const defaultGuardConfig: GuardConfig = {
  minSample: 30,
  minEvalSample: 10,
  maxScoreDrop: 0.1,
  maxErrorRateRise: 0.05,
  maxEscalationRateRise: 0.1,
  maxCostRise: 0.25,
  maxExtraBreakerTrips: 0.02,
};

export const guardSignals = [
  "eval_score",
  "error_rate",
  "escalation_rate",
  "breaker_trips",
  "cost_per_resolved",
] as const;
export type GuardSignal = (typeof guardSignals)[number];

export interface SignalReading {
  readonly signal: GuardSignal;
  readonly canary: number | null;
  readonly stable: number | null;
  /** The canary value beyond which the signal breaks, or null when it cannot be judged. */
  readonly limit: number | null;
  /** `skipped`: not enough data or no source; it neither blocks nor breaks. */
  readonly status: "holds" | "breaks" | "skipped";
}

export type GuardVerdict =
  | { action: "hold"; reason: string; readings: SignalReading[] }
  | { action: "advance"; readings: SignalReading[] }
  | { action: "rollback"; signal: GuardSignal; reason: string; readings: SignalReading[] };

const rate = (n: number, d: number) => (d > 0 ? n / d : null);

export function armRates(s: ArmStats) {
  return {
    errorRate: rate(s.failed, s.runs),
    escalationRate: rate(s.escalated, s.runs),
    costPerResolved: rate(s.costUsd, s.resolved),
  };
}

function reading(
  signal: GuardSignal,
  canary: number | null,
  stable: number | null,
  limitOf: (stable: number) => number,
  breaks: (canary: number, limit: number) => boolean,
): SignalReading {
  if (canary === null || stable === null)
    return { signal, canary, stable, limit: null, status: "skipped" };
  const limit = limitOf(stable);
  return { signal, canary, stable, limit, status: breaks(canary, limit) ? "breaks" : "holds" };
}

/** Every signal, canary against stable. */
export function readSignals(
  canary: ArmStats,
  stable: ArmStats,
  config: GuardConfig,
): SignalReading[] {
  const c = armRates(canary);
  const s = armRates(stable);
  const scored =
    canary.evalCount >= config.minEvalSample && stable.evalCount >= config.minEvalSample;
  const above = (value: number, limit: number) => value > limit + 1e-12;
  return [
    reading(
      "eval_score",
      scored ? canary.evalScore : null,
      scored ? stable.evalScore : null,
      (v) => v - config.maxScoreDrop,
      (value, limit) => value < limit - 1e-12,
    ),
    reading("error_rate", c.errorRate, s.errorRate, (v) => v + config.maxErrorRateRise, above),
    reading(
      "escalation_rate",
      c.escalationRate,
      s.escalationRate,
      (v) => v + config.maxEscalationRateRise,
      above,
    ),
    reading(
      "breaker_trips",
      canary.breakerTrips ?? null,
      stable.breakerTrips ?? null,
      (v) => v + config.maxExtraBreakerTrips,
      above,
    ),
    reading(
      "cost_per_resolved",
      c.costPerResolved,
      s.costPerResolved,
      (v) => v * (1 + config.maxCostRise),
      above,
    ),
  ];
}

/**
 * The guard's verdict for the current stage. Nothing is judged before the canary has its minimum
 * sample (early numbers are noise); then one broken signal rolls back, and advancing needs the
 * eval score to have been judged and every other judged signal to hold.
 */
export function judgeRollout(
  canary: ArmStats,
  stable: ArmStats,
  config: GuardConfig,
): GuardVerdict {
  const readings = readSignals(canary, stable, config);
  if (canary.runs < config.minSample) {
    return {
      action: "hold",
      reason: `canary has ${canary.runs} of ${config.minSample} runs`,
      readings,
    };
  }
  if (stable.runs < config.minSample) {
    return {
      action: "hold",
      reason: `stable has ${stable.runs} of ${config.minSample} runs`,
      readings,
    };
  }
  const broken = readings.find((r) => r.status === "breaks");
  if (broken) {
    return { action: "rollback", signal: broken.signal, reason: describe(broken), readings };
  }
  const score = readings.find((r) => r.signal === "eval_score");
  if (score?.status !== "holds") {
    return {
      action: "hold",
      reason: `eval scores: canary ${canary.evalCount}, stable ${stable.evalCount} of ${config.minEvalSample}`,
      readings,
    };
  }
  return { action: "advance", readings };
}

const signalLabels: Record<GuardSignal, string> = {
  eval_score: "eval score",
  error_rate: "error rate",
  escalation_rate: "escalation rate",
  breaker_trips: "breaker trips per run",
  cost_per_resolved: "cost per resolved conversation",
};

export function signalLabel(signal: GuardSignal): string {
  return signalLabels[signal];
}

function describe(r: SignalReading): string {
  const f = (v: number | null) => (v === null ? "n/a" : Number(v.toPrecision(4)).toString());
  const direction = r.signal === "eval_score" ? "below" : "above";
  return `${signalLabels[r.signal]} ${f(r.canary)} is ${direction} the limit ${f(r.limit)} (stable ${f(r.stable)})`;
}
