import { type ModelTier } from "../agent";
import { type EventRecorder } from "../recorder";
import { type RunState } from "../state";
import { endAtBound, hasBestAnswer } from "../transitions";

/** Share of the conversation budget after which the next steps run on a cheaper tier. */
export const DOWNGRADE_AT = 0.8;

export type BudgetStage = "ok" | "downgrade" | "exhausted";

/** Where a conversation stands against its budget; pure, for tables of cases. */
export function budgetStage(spentUsd: number, limitUsd: number | null): BudgetStage {
  if (limitUsd === null) return "ok";
  if (spentUsd >= limitUsd) return "exhausted";
  return spentUsd >= DOWNGRADE_AT * limitUsd ? "downgrade" : "ok";
}

/** One tier down; the fast tier is already the cheapest. */
export function cheaperTier(tier: ModelTier): ModelTier {
  return tier === "strong" ? "standard" : "fast";
}

/** The tier a call of `agentTier` uses in this run right now. */
export function effectiveTier(state: RunState, agentTier: ModelTier): ModelTier {
  return state.budget?.downgraded ? cheaperTier(agentTier) : agentTier;
}

/**
 * Applied at the start of each step, before any model call: past 80% the run switches to cheaper
 * tiers (once, recorded); at 100% it ends with its best answer or escalates. Returns true when
 * the run ended.
 */
export function applyConversationBudget(state: RunState, rec: EventRecorder): boolean {
  const budget = state.budget;
  if (!budget || budget.limitUsd === null) return false;
  const stage = budgetStage(budget.spentUsd, budget.limitUsd);
  if (stage === "exhausted") {
    finishOnBudget(state, { scope: "conversation", spentUsd: budget.spentUsd, limitUsd: budget.limitUsd }, rec);
    return true;
  }
  if (stage === "downgrade" && !budget.downgraded) {
    budget.downgraded = true;
    rec.run({ type: "budget_downgraded", spentUsd: budget.spentUsd, limitUsd: budget.limitUsd });
  }
  return false;
}

export interface BudgetBreach {
  readonly scope: string;
  readonly spentUsd: number;
  readonly limitUsd: number;
}

/** Ends a run whose budget is used up: the best reply it has (partial), otherwise a person. */
export function finishOnBudget(state: RunState, breach: BudgetBreach, rec: EventRecorder): void {
  const outcome = hasBestAnswer(state) ? "best_answer" : "escalated";
  rec.run({ type: "budget_exhausted", ...breach, outcome });
  endAtBound(state, "cost_budget", { reason: "budget_exhausted", detail: describeBreach(breach) }, rec);
}

export function describeBreach(breach: BudgetBreach): string {
  return `${breach.scope} budget of $${breach.limitUsd.toFixed(4)} used ($${breach.spentUsd.toFixed(4)} spent)`;
}

// Calls in flight within the current step (threads run in parallel), per draft state. Kept out of
// the checkpoint: by the time a step commits, every call it started has been charged.
const inFlight = new WeakMap<RunState, number>();

/**
 * Admits one call against the conversation budget and reserves its bound while it runs. A call
 * is admitted while spend plus the bounds in flight stay below the limit, so the recorded spend
 * exceeds the budget by at most one call's bound. Synchronous, so parallel threads cannot race.
 */
export function admitCall(state: RunState, maxUsd: number): BudgetBreach | null {
  const budget = state.budget;
  if (!budget || budget.limitUsd === null) return null;
  const reserved = inFlight.get(state) ?? 0;
  if (budget.spentUsd + reserved >= budget.limitUsd) {
    return { scope: "conversation", spentUsd: budget.spentUsd, limitUsd: budget.limitUsd };
  }
  inFlight.set(state, reserved + maxUsd);
  return null;
}

/** Replaces an admitted call's reservation with what it cost (0 when it failed or is unpriced). */
export function chargeCall(state: RunState, reservedUsd: number, actualUsd: number): void {
  if (!state.budget) return;
  if (state.budget.limitUsd !== null) inFlight.set(state, Math.max(0, (inFlight.get(state) ?? 0) - reservedUsd));
  state.budget.spentUsd += actualUsd;
}
