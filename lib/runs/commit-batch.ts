import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Database } from "@/db/client";
import type { RunEvent, RunState } from "@/lib/runtime";
import type { SpanRecord, TraceDelta } from "@/lib/tracing/spans";
import {
  eventRecord,
  eventRows,
  eventValues,
  insertEventColumns,
  insertSpanColumns,
  spanRecord,
  spanRows,
  spanValues,
} from "./commit-rows";
import { queryRows } from "./sql";

/** A mid-run step's commit: what PgRunStore's single-run statement writes, minus settlement. */
export interface StepWrite {
  runId: string;
  expectedSeq: number;
  checkpoint: RunState;
  events: readonly RunEvent[];
  spans: readonly SpanRecord[];
  delta: TraceDelta;
  owner: string | null;
  leaseMs: number;
  /** The same commit on its own (PgRunStore's statement): true when the run row was written. */
  alone: () => Promise<boolean>;
}

interface Pending {
  write: StepWrite;
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit across runs. A step that finds no commit of the pool in flight goes out on its own
 * at once, so a lone conversation waits for nothing. Steps that arrive while `maxInFlight`
 * commits are running queue up, and each time one finishes the queue leaves as ONE statement and
 * one transaction: the guarded update of every run row (each with its own seq and lease check)
 * and the insert of their events and spans. Each caller is resolved only when that transaction
 * has committed, with whether its own row was written; a run whose check fails is refused alone.
 * If the statement fails as a whole (a deadlock, a constraint), every step in it is retried on
 * its own, so one bad commit cannot fail the others. Mid-run steps only: settlement and run
 * creation write more tables and keep PgRunStore's single-run statement.
 */
export class CommitBatcher {
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Database,
    // Measured at concurrency 32 on 2 shared cores: 2 batches in flight beat 4 and 8 (each batch
    // is one backend's work; more of them only queue for the same cores). A bigger server may
    // want more.
    private readonly maxInFlight = 2,
    private readonly maxBatch = 64,
  ) {}

  commit(write: StepWrite): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return settle(batch[0]!, () => batch[0]!.write.alone());
    let written: Set<string>;
    try {
      written = await this.commitMany(batch.map((p) => p.write));
    } catch {
      // Nothing of the batch was written: each step is tried again on its own.
      await Promise.all(batch.map((p) => settle(p, () => p.write.alone())));
      return;
    }
    for (const p of batch) p.resolve(written.has(p.write.runId));
  }

  private async commitMany(writes: StepWrite[]): Promise<Set<string>> {
    const runRows = writes.map((w) => ({
      id: w.runId,
      expected: w.expectedSeq,
      seq: w.checkpoint.seq,
      checkpoint: w.checkpoint,
      status: w.checkpoint.status,
      owner: w.owner,
      lease_ms: w.leaseMs,
      cost_usd: w.delta.costUsd,
      input_tokens: w.delta.inputTokens,
      output_tokens: w.delta.outputTokens,
      llm_calls: w.delta.llmCalls,
      errors: w.delta.errors,
      agents: w.delta.agents,
      models: w.delta.models,
    }));
    const events = writes.flatMap((w) => eventRows(w.events));
    const spans = writes.flatMap((w) => spanRows(w.runId, w.spans));
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`
      with u as (
        select * from jsonb_to_recordset(${JSON.stringify(runRows)}::jsonb) as u(id text, expected int,
          seq int, checkpoint jsonb, status text, owner text, lease_ms double precision,
          cost_usd double precision, input_tokens int, output_tokens int, llm_calls int, errors int,
          agents text[], models text[])
      ), r as (
        update runs set
          seq = u.seq,
          checkpoint = u.checkpoint,
          status = u.status,
          lease_expires_at = case when runs.lease_owner is null then runs.lease_expires_at
            else now() + u.lease_ms * interval '1 millisecond' end,
          updated_at = now(),
          cost_usd = runs.cost_usd + u.cost_usd,
          input_tokens = runs.input_tokens + u.input_tokens,
          output_tokens = runs.output_tokens + u.output_tokens,
          llm_calls = runs.llm_calls + u.llm_calls,
          errors = runs.errors + u.errors,
          agents = case when runs.agents @> u.agents then runs.agents
            else array(select distinct unnest(runs.agents || u.agents)) end,
          models = case when runs.models @> u.models then runs.models
            else array(select distinct unnest(runs.models || u.models)) end
        from u
        where runs.id = u.id and runs.seq = u.expected
          and (u.owner is null or runs.lease_owner = u.owner)
        returning runs.id, runs.trace_id
      ), e as (
        ${insertEventColumns} select r.id, ${eventValues}
        from r join jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as ${eventRecord} on x.run_id = r.id
      ), s as (
        ${insertSpanColumns} select r.trace_id, ${spanValues}
        from r join jsonb_to_recordset(${JSON.stringify(spans)}::jsonb) as ${spanRecord} on x.run_id = r.id
        on conflict (trace_id, span_id) do nothing
      )
      select id from r`,
    );
    return new Set(rows.map((row) => row.id));
  }
}

async function settle(p: Pending, attempt: () => Promise<boolean>): Promise<void> {
  try {
    p.resolve(await attempt());
  } catch (error) {
    p.reject(error);
  }
}

const batchers = new WeakMap<Database, CommitBatcher>();

/**
 * The pool's group commit; none for a transaction, whose statements run one after another on
 * its connection anyway and whose failure could not be retried step by step.
 */
export function commitBatcherFor(db: Database): CommitBatcher | undefined {
  if (db instanceof PgTransaction) return undefined;
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = new CommitBatcher(db)));
  return batcher;
}
