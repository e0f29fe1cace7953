import { ConcurrencyConflict, SystemFailure } from "../errors";
import { type RunEvent, runEventSchema } from "../events";
import { type RunStore } from "../ports";
import { type RunState, runStateSchema } from "../state";

interface StoredRun {
  events: RunEvent[];
  checkpoint: string;
  seq: number;
  commits: number;
}

/**
 * An in-memory RunStore with the semantics of the Postgres one: the seq check and the write
 * happen atomically (no await between them), batches must be gap-free and match the checkpoint,
 * and everything goes through JSON and the zod schemas, so non-serialisable state fails here too.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, StoredRun>();

  async commitStep(
    runId: string,
    expectedSeq: number,
    events: readonly RunEvent[],
    checkpoint: RunState,
  ): Promise<void> {
    await Promise.resolve();
    const run = this.runs.get(runId);
    const actual = run?.seq ?? 0;
    if (actual !== expectedSeq) throw new ConcurrencyConflict(runId, expectedSeq, actual);
    const batch = events.map((event) => runEventSchema.parse(roundTrip(event)));
    assertBatch(runId, expectedSeq, batch, checkpoint);
    const stored = JSON.stringify(checkpoint);
    runStateSchema.parse(JSON.parse(stored));
    this.runs.set(runId, {
      events: [...(run?.events ?? []), ...batch],
      checkpoint: stored,
      seq: expectedSeq + batch.length,
      commits: (run?.commits ?? 0) + 1,
    });
  }

  async loadCheckpoint(runId: string): Promise<{ state: RunState; seq: number } | undefined> {
    await Promise.resolve();
    const run = this.runs.get(runId);
    if (!run) return undefined;
    return { state: runStateSchema.parse(JSON.parse(run.checkpoint)), seq: run.seq };
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
