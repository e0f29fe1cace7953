import { ConcurrencyConflict, SystemFailure } from "../errors";
import { type RunEvent, runEventSchema } from "../events";
import { type LoadedRun, type RunStore } from "../ports";
import { type RunState, runStateSchema } from "../state";

/** A test's check of one commit: the checkpoint before it, its events, the checkpoint after. */
export type CommitCheck = (before: RunState | undefined, events: readonly RunEvent[], after: RunState) => Promise<void>;

interface StoredRun {
  events: RunEvent[];
  /** The stored checkpoint, which a deferred commit leaves behind the log. */
  checkpoint: string;
  /** The newest checkpoint a commit passed, stored or not (for {@link CommitCheck}). */
  latest: string;
  seq: number;
  commits: number;
  checkpoints: number;
}

/**
 * An in-memory RunStore with the semantics of the Postgres one: the seq check and the write
 * happen atomically (no await between them), batches must be gap-free and match the checkpoint,
 * and everything goes through JSON and the zod schemas, so non-serialisable state fails here too.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, StoredRun>();

  /** @param afterCommit runs after each commit with the checkpoint before it (none for a new
   *  run), e.g. {@link replayCheck}; what it throws, the commit throws. */
  constructor(private readonly afterCommit?: CommitCheck) {}

  async commitStep(
    runId: string,
    expectedSeq: number,
    events: readonly RunEvent[],
    checkpoint: RunState,
    options: { readonly deferCheckpoint?: boolean } = {},
  ): Promise<void> {
    await Promise.resolve();
    const run = this.runs.get(runId);
    const actual = run?.seq ?? 0;
    if (actual !== expectedSeq) throw new ConcurrencyConflict(runId, expectedSeq, actual);
    const batch = events.map((event) => runEventSchema.parse(roundTrip(event)));
    assertBatch(runId, expectedSeq, batch, checkpoint);
    const stored = JSON.stringify(checkpoint);
    runStateSchema.parse(JSON.parse(stored));
    const defer = options.deferCheckpoint === true && run !== undefined;
    this.runs.set(runId, {
      events: [...(run?.events ?? []), ...batch],
      checkpoint: defer ? run.checkpoint : stored,
      latest: stored,
      seq: expectedSeq + batch.length,
      commits: (run?.commits ?? 0) + 1,
      checkpoints: (run?.checkpoints ?? 0) + (defer ? 0 : 1),
    });
    if (!this.afterCommit) return;
    const before = run ? runStateSchema.parse(JSON.parse(run.latest)) : undefined;
    await this.afterCommit(before, batch, runStateSchema.parse(JSON.parse(stored)));
  }

  async loadCheckpoint(runId: string): Promise<LoadedRun | undefined> {
    await Promise.resolve();
    const run = this.runs.get(runId);
    if (!run) return undefined;
    const state = runStateSchema.parse(JSON.parse(run.checkpoint));
    const log = run.events.filter((event) => event.seq > state.seq).map((event) => structuredClone(event));
    return { state, seq: run.seq, ...(log.length > 0 ? { log } : {}) };
  }

  /** How many commits wrote their checkpoint (the others deferred it to the log). */
  checkpointCount(runId: string): number {
    return this.runs.get(runId)?.checkpoints ?? 0;
  }

  /** The run's full event log, in seq order. */
  events(runId: string): RunEvent[] {
    return structuredClone(this.runs.get(runId)?.events ?? []);
  }

  /** How many successful `commitStep` calls the run has had. */
  commitCount(runId: string): number {
    return this.runs.get(runId)?.commits ?? 0;
  }
}

function assertBatch(
  runId: string,
  expectedSeq: number,
  events: readonly RunEvent[],
  checkpoint: RunState,
): void {
  if (events.length === 0) throw new SystemFailure(`commit for ${runId} has no events`);
  events.forEach((event, i) => {
    if (event.runId !== runId || event.seq !== expectedSeq + i + 1) {
      throw new SystemFailure(`event ${i} of ${runId} has run ${event.runId} seq ${event.seq}`);
    }
  });
  if (checkpoint.runId !== runId || checkpoint.seq !== expectedSeq + events.length) {
    throw new SystemFailure(`checkpoint of ${runId} is at seq ${checkpoint.seq}`);
  }
}

function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
