/**
 * The rollout state machine, pure: the console's commands and the guard's verdicts both go
 * through {@link nextRollout}; the database only stores its results.
 */

export const rolloutStatuses = ["running", "paused", "promoted", "rolled_back"] as const;
export type RolloutStatus = (typeof rolloutStatuses)[number];

export const rolloutCommands = ["pause", "resume", "advance", "promote", "rollback"] as const;
export type RolloutCommand = (typeof rolloutCommands)[number];

export interface RolloutStageState {
  readonly status: RolloutStatus;
  /** Canary percentages, strictly increasing, ending at 100 (e.g. 10 → 50 → 100). */
  readonly stages: readonly number[];
  readonly stageIndex: number;
}

export type RolloutTransition =
  | { ok: true; state: RolloutStageState }
  | { ok: false; reason: string };

/** Why a list of stages is unusable, or null when it is fine. */
export function stagesProblem(stages: readonly number[]): string | null {
  if (stages.length === 0 || stages.length > 10) return "Between 1 and 10 stages.";
  if (stages.some((p) => !Number.isInteger(p) || p < 1 || p > 100))
    return "Each stage is a whole percentage from 1 to 100.";
  if (stages.some((p, i) => i > 0 && p <= stages[i - 1]!)) return "Stages must increase.";
  if (stages.at(-1) !== 100) return "The last stage is 100%.";
  return null;
}

/** The canary's share of new conversations in a state. */
export function canaryPercent(state: RolloutStageState): number {
  if (state.status === "promoted") return 100;
  if (state.status === "rolled_back") return 0;
  return state.stages[state.stageIndex] ?? 0;
}

export function isActive(status: RolloutStatus): boolean {
  return status === "running" || status === "paused";
}

/** Applies a command; finished rollouts accept none. */
export function nextRollout(state: RolloutStageState, command: RolloutCommand): RolloutTransition {
  const refuse = (reason: string): RolloutTransition => ({ ok: false, reason });
  if (!isActive(state.status))
    return refuse(`The rollout is already ${state.status.replace("_", " ")}.`);
  switch (command) {
    case "pause":
      return state.status === "running"
        ? { ok: true, state: { ...state, status: "paused" } }
        : refuse("The rollout is already paused.");
    case "resume":
      return state.status === "paused"
        ? { ok: true, state: { ...state, status: "running" } }
        : refuse("The rollout is not paused.");
    case "advance":
      if (state.status !== "running") return refuse("A paused rollout does not advance.");
      return state.stageIndex + 1 < state.stages.length
        ? { ok: true, state: { ...state, stageIndex: state.stageIndex + 1 } }
        : { ok: true, state: { ...state, status: "promoted" } };
    case "promote":
      return {
        ok: true,
        state: { ...state, status: "promoted", stageIndex: state.stages.length - 1 },
      };
    case "rollback":
      return { ok: true, state: { ...state, status: "rolled_back" } };
  }
}
