import { type ChainLimits } from "./chain";
import { type EventRecorder } from "./recorder";
import { type RunState } from "./state";
import { endAtBound } from "./transitions";

/** A run-level bound that ends the run at the start of a step. */
export interface BoundBreach {
  readonly reason: "max_steps" | "wall_clock_budget";
  readonly detail: string;
}

/** Checked at the start of every step (after the step counter moved), before any model call. */
export function checkBounds(
  state: RunState,
  limits: ChainLimits,
  now: number,
): BoundBreach | undefined {
  if (now >= state.deadlineAt) {
    return { reason: "wall_clock_budget", detail: `budget of ${limits.budgetMs} ms used up` };
  }
  if (state.step - (state.restartedAt?.step ?? 0) > limits.maxSteps) {
    return { reason: "max_steps", detail: `more than ${limits.maxSteps} steps` };
  }
  return undefined;
}

/**
 * Ends a run that hit a bound: it answers with the most recent validated output when that is a
 * reply (marked partial, so the caller can say so), otherwise it escalates to a human
 * (transitions.ts endAtBound). Never spins.
 */
export function finishOnBound(state: RunState, breach: BoundBreach, rec: EventRecorder): void {
  endAtBound(state, breach.reason, { reason: breach.reason, detail: breach.detail }, rec);
}

/** Whether one more handoff fits; past the limit the run escalates (`max_handoffs`). */
export function handoffAllowed(state: RunState, limits: ChainLimits): boolean {
  return state.handoffs < limits.maxHandoffs;
}
