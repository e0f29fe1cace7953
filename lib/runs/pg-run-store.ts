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
import { commitTrace, type Resumption } from "@/lib/tracing/spans";
import { commitBatcherFor } from "./commit-batch";
import { eventsOfStepRow, type RunWrite } from "./commit-rows";
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
 * guarded insert or update of the run row (checkpoint, seq, lease, the trace's totals), the step's
 * events and spans and, when the run settles, the reply message, the conversation's status and the
 * inbox entry. Through the pool, concurrent commits of many runs share that statement (group
 * commit, commit-batch.ts); inside a caller's transaction a commit goes alone. One round trip and
 * one commit per step is what keeps the runtime's own cost near a single durable insert
 * (DESIGN.md "Performance").
 */
export class PgRunStore implements RunStore {
  private resumed: Resumption | undefined;

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
    // Refused: another writer advanced the run, or another worker holds its lease now.
    if (!written) throw new ConcurrencyConflict(runId, expectedSeq, await this.currentSeq(runId, expectedSeq));
    this.resumed = undefined;
  }

  async loadCheckpoint(runId: string): Promise<LoadedRun | undefined> {
    // One statement, so the checkpoint and the log after it are read from one snapshot.
    const [row] = await queryRows<{ seq: number; checkpoint: unknown; steps: unknown }>(
      this.db,
      sql`select r.seq, r.checkpoint, case when r.checkpoint_seq is null then null else
          (select json_agg(s.events order by s.seq) from run_steps s
            where s.run_id = r.id and s.seq > r.checkpoint_seq) end as steps
        from runs r where r.id = ${runId}`,
    );
    if (!row) return undefined;
    const state = runStateSchema.parse(jsonbValue(row.checkpoint));
    const steps = jsonbValue(row.steps);
    const log = Array.isArray(steps) ? steps.flatMap((events) => eventsOfStepRow(runId, events)) : [];
    return { state, seq: row.seq, ...(log.length > 0 ? { log } : {}) };
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
    // A takeover is recorded on the resumed run's first commit, never on a creation.
    const resumed = creating ? undefined : this.resumed;
    const { spans, llmCalls, delta } = commitTrace(runId, events, resumed, checkpoint);
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

  /** The run's seq for a refused commit's error: -1 when the run does not exist. */
  private async currentSeq(runId: string, expectedSeq: number): Promise<number> {
    if (expectedSeq === 0) return 0;
    const [row] = await queryRows<{ seq: number }>(this.db, sql`select seq from runs where id = ${runId}`);
    return row?.seq ?? -1;
  }
}
