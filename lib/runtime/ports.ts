import { type RunEvent } from "./events";
import { type RunState, type ToolOutcome } from "./state";

/**
 * Durable run storage. The performance design rests on one rule: a step is persisted by exactly
 * ONE `commitStep` call that writes the step's events and the new checkpoint atomically (one
 * transaction, one fsync; a Postgres implementation can group-commit across runs).
 */
export interface RunStore {
  /**
   * Appends `events` and replaces the checkpoint, atomically, only if the run's last committed
   * seq is still `expectedSeq` (0 for a run that does not exist yet). The events carry seq
   * `expectedSeq + 1 …` without gaps and `checkpoint.seq` equals the last of them.
   * With `deferCheckpoint` the store may keep its older checkpoint: the loop asks for that only
   * where the events rebuild this one (log-replay/), and loading then returns them as `log`.
   * @throws ConcurrencyConflict when another writer advanced the run; nothing is written.
   */
  commitStep(
    runId: string,
    expectedSeq: number,
    events: readonly RunEvent[],
    checkpoint: RunState,
    options?: { readonly deferCheckpoint?: boolean },
  ): Promise<void>;
  /**
   * The last stored checkpoint, the run's last committed seq, and the events committed after
   * that checkpoint (in seq order; none when it is the latest); undefined for an unknown run.
   */
  loadCheckpoint(runId: string): Promise<LoadedRun | undefined>;
}

/** A run as its store holds it: a checkpoint, and the log that has gone past it. */
export interface LoadedRun {
  readonly state: RunState;
  readonly seq: number;
  readonly log?: readonly RunEvent[];
}

/** A ledger row: the intent is recorded before the effect, the outcome after it. */
export interface LedgerEntry {
  readonly key: string;
  readonly tool: string;
  readonly input: unknown;
  readonly status: "started" | "completed";
  /** How many times `begin` was called for this key: above 1 means a possibly repeated effect. */
  readonly attempts: number;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly result?: ToolOutcome;
}

/**
 * Idempotency ledger for tool side effects, keyed by `${runId}:${step}:${callIndex}`.
 *
 * Protocol: `begin` records the intent durably BEFORE the tool runs; `complete` records the
 * outcome. A retried or resumed step that finds a completed entry uses the recorded outcome and
 * never calls the tool again. The one window the ledger cannot close is a process dying after the
 * effect but before `complete`: the entry is then `started` and the tool is called once more with
 * the SAME key, which every tool passes to the external system (as an Idempotency-Key header, a
 * unique request id) so that system drops the duplicate.
 */
export interface ToolLedger {
  /** Records the intent, or returns the existing entry (with `attempts` incremented) if present. */
  begin(key: string, intent: { tool: string; input: unknown; at: number }): Promise<LedgerEntry>;
  /** Records the outcome of a begun call. */
  complete(key: string, result: ToolOutcome, at: number): Promise<void>;
  get(key: string): Promise<LedgerEntry | undefined>;
}

/** Time source, injected so tests and replays control the wall-clock budget. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Creates prefixed unique ids (`run_…`). */
export interface IdGenerator {
  newId(prefix: string): string;
}

/**
 * Called after each successful commit with exactly the events that were made durable: the seam
 * for tracing exporters, live metrics and inbox notifications. Must not throw.
 */
export interface RunObserver {
  onCommitted(events: readonly RunEvent[], state: RunState): void;
}

export const systemClock: Clock = { now: () => Date.now() };
