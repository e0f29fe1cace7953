/**
 * The runtime's error hierarchy. Callers branch on the class, not on messages:
 * - {@link ConfigurationError}: the caller or the chain author got something wrong (unknown agent,
 *   tool missing from the registry, resuming a run that is not waiting). Retrying will not help.
 * - {@link SystemFailure}: infrastructure misbehaved (a store broke an invariant). The run stays at
 *   its last checkpoint, so another worker can pick it up once the cause is gone.
 * - {@link BoundExceededError}: a loop bound, the wall-clock budget or a guardrail stopped the run.
 * - {@link ConcurrencyConflict}: another writer advanced the run first; drop the work and reload.
 *
 * Provider errors live in `model.ts` ({@link ProviderError}) because they belong to the Model port.
 */
export abstract class RuntimeError extends Error {
  abstract readonly category: "configuration" | "system" | "bound" | "concurrency" | "provider";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A misconfigured chain, agent or tool, or an API misuse by the caller. */
export class ConfigurationError extends RuntimeError {
  readonly category = "configuration";
}

/** Infrastructure failed in a way the runtime cannot repair by itself. */
export class SystemFailure extends RuntimeError {
  readonly category = "system";
}

/** Which bound stopped a run. */
export type BoundKind =
  | "max_steps"
  | "max_handoffs"
  | "max_turns"
  | "wall_clock_budget"
  | "guardrail";

/** A loop bound, the wall-clock budget or a guardrail ended the run. */
export class BoundExceededError extends RuntimeError {
  readonly category = "bound";

  constructor(
    readonly bound: BoundKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Optimistic concurrency failure: `commitStep` was called with an `expectedSeq` that is no longer
 * the run's last sequence number, so another writer (a second worker after a lease expiry, a racing
 * resume) committed first. Nothing of the losing step was written.
 */
export class ConcurrencyConflict extends RuntimeError {
  readonly category = "concurrency";

  constructor(
    readonly runId: string,
    readonly expectedSeq: number,
    readonly actualSeq: number,
  ) {
    super(`run ${runId} is at seq ${actualSeq}, expected ${expectedSeq}`);
  }
}
