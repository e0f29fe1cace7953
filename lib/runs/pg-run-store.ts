import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  ConcurrencyConflict,
  type LoadedRun,
  type RunEvent,
  type RunState,
  type RunStore,
  runStateSchema,
} from "@/lib/runtime";
import { commitTrace, type Resumption, sumDeltas, type TraceDelta } from "@/lib/tracing/spans";
import { commitBatcherFor } from "./commit-batch";
import { eventsOfStepRow, lastCommittedSeq, type RunWrite } from "./commit-rows";
import { commitRuns } from "./commit-runs";
import { jsonbValue, queryRows } from "./sql";

export interface PgRunStoreOptions {
  /** The worker holding the lease; its commits are refused once another worker took the run. */
  owner?: string | null;
  /** How long each commit extends the lease. */
  leaseMs?: number;
  /** Required to create a run (a commit with expectedSeq 0): the conversation it belongs to. */
  newRun?: { conversationId: string; traceId: string; priority?: number };
  /** Set by a worker that took over an expired lease: its first commit records the resume. */
  resumed?: Resumption;
}

/**
 * The runtime's RunStore on PostgreSQL/PGlite. Each commit is ONE statement (commit-runs.ts): the
 * step's events (its `run_steps` row, whose key guards the commit), its stored spans and LLM
 * calls, the run row when the commit stores its checkpoint (seq, checkpoint, lease, the trace's
 * totals) and, when the run settles, the reply message, the conversation's status and the inbox
 * entry. Through the pool, concurrent commits of many runs share that statement (group commit,
 * commit-batch.ts); inside a caller's transaction a commit goes alone. One round trip and one
 * commit per step is what keeps the runtime's own cost near a single durable insert (DESIGN.md
 * "Performance").
 *
 * A mid-run step that leaves its checkpoint to the log leaves the run row alone (docs/step-log.md,
 * phase B). The row's totals then wait for the next commit that stores a checkpoint: the store
 * keeps what the steps since added, per run, and a load counts it again from the log it returns.
 */
export class PgRunStore implements RunStore {
  private resumed: Resumption | undefined;
  /** Per run, the totals of the committed steps the run row does not count yet. */
  private readonly uncounted = new Map<string, TraceDelta>();

  constructor(
    private readonly db: Database,
    private readonly options: PgRunStoreOptions = {},
  ) {
    this.resumed = options.resumed;
  }

  async commitStep(
    runId: string,
    expectedSeq: number,
    events: readonly RunEvent[],
    checkpoint: RunState,
    options: { readonly deferCheckpoint?: boolean } = {},
  ): Promise<void> {
    const write = this.writeOf(runId, expectedSeq, events, checkpoint, options.deferCheckpoint === true);
    const batcher = commitBatcherFor(this.db);
    const written = batcher
      ? await batcher.commit(write)
      : (await commitRuns(this.db, [write])).has(runId);
    if (!written) {
      // Refused: another writer advanced the run, or another worker holds its lease now.
      this.uncounted.delete(runId);
      throw new ConcurrencyConflict(runId, expectedSeq, await this.currentSeq(runId, expectedSeq));
    }
    if (write.deferCheckpoint) this.uncounted.set(runId, write.delta);
    else this.uncounted.delete(runId);
    this.resumed = undefined;
  }

  async loadCheckpoint(runId: string): Promise<LoadedRun | undefined> {
    // One statement, so the checkpoint and the log after it are read from one snapshot. A run
    // row from phase C may hold an older checkpoint than its seq (`checkpoint_seq`).
    const [row] = await queryRows<{ seq: number; checkpoint: unknown; steps: unknown }>(
      this.db,
      sql`select r.seq, r.checkpoint,
          (select json_agg(s.events order by s.seq) from run_steps s
            where s.run_id = r.id and s.seq > coalesce(r.checkpoint_seq, r.seq)) as steps
        from runs r where r.id = ${runId}`,
    );
    if (!row) return undefined;
    const state = runStateSchema.parse(jsonbValue(row.checkpoint));
    const steps = jsonbValue(row.steps);
    const log = Array.isArray(steps) ? steps.flatMap((events) => eventsOfStepRow(runId, events)) : [];
    // Phase C's rows counted the totals of every step; only the steps past the row's seq wait.
    const uncounted = log.filter((event) => event.seq > row.seq);
    if (uncounted.length > 0) this.uncounted.set(runId, commitTrace(runId, uncounted).delta);
    else this.uncounted.delete(runId);
    const seq = log.at(-1)?.seq ?? row.seq;
    return { state, seq, ...(log.length > 0 ? { log } : {}) };
  }

  private writeOf(
    runId: string,
    expectedSeq: number,
    events: readonly RunEvent[],
    checkpoint: RunState,
    deferCheckpoint: boolean,
  ): RunWrite {
    const creating = expectedSeq === 0;
    const target = this.options.newRun;
    if (creating && !target) throw new Error("PgRunStore: creating a run needs options.newRun");
    // The step row's key is the only guard of a commit after the creation.
    if (!creating && events.length === 0) throw new Error("PgRunStore: a commit after a run's creation needs its events");
    // A takeover is recorded on the resumed run's first commit, never on a creation.
    const resumed = creating ? undefined : this.resumed;
    const { spans, llmCalls, delta: own } = commitTrace(runId, events, resumed, checkpoint);
    const before = this.uncounted.get(runId);
    const delta = before ? sumDeltas(before, own) : own;
    return {
      runId,
      expectedSeq,
      checkpoint,
      // Only an update may defer: a new run's row needs its first checkpoint.
      deferCheckpoint: deferCheckpoint && !creating,
      events,
      spans,
      llmCalls,
      delta,
      owner: this.options.owner ?? null,
      leaseMs: this.options.leaseMs ?? 30_000,
      create: creating
        ? { conversationId: target!.conversationId, traceId: target!.traceId, priority: target!.priority ?? 0 }
        : undefined,
    };
  }

  /** The run's last committed seq for a refused commit's error: -1 when the run does not exist. */
  private async currentSeq(runId: string, expectedSeq: number): Promise<number> {
    if (expectedSeq === 0) return 0;
    const [row] = await queryRows<{ seq: number }>(
      this.db,
      sql`select ${lastCommittedSeq} as seq from runs r where r.id = ${runId}`,
    );
    return row?.seq ?? -1;
  }
}
