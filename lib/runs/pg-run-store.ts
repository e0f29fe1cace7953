import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { newId } from "@/lib/ids";
import {
  ConcurrencyConflict,
  type RunEvent,
  type RunState,
  type RunStore,
  runStateSchema,
} from "@/lib/runtime";
import {
  rootSpanId,
  type Resumption,
  type SpanRecord,
  spansForCommit,
  type TraceDelta,
} from "@/lib/tracing/spans";
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
import { commitBatcherFor } from "./commit-batch";
import { insertEscalation } from "./escalation-commit";
import { settlementOf } from "./settlement";
import { queryRows } from "./sql";

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
 * The runtime's RunStore on PostgreSQL/PGlite. Each commit is ONE statement: the guarded update of
 * the run row (checkpoint, seq, lease), the insert of the step's events and, when the run settles,
 * the reply message, the conversation's status and the inbox entry (escalation-commit.ts). One
 * round trip and one commit per step is what keeps the runtime's own cost near a single durable
 * insert (DESIGN.md "Performance").
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
  ): Promise<void> {
    const result =
      expectedSeq === 0
        ? await this.insertRun(runId, events, checkpoint)
        : await this.updateRun(runId, expectedSeq, events, checkpoint);
    // Refused: another writer advanced the run, or another worker holds its lease now.
    if (!result || result.n === 0) {
      throw new ConcurrencyConflict(runId, expectedSeq, result?.current ?? -1);
    }
    this.resumed = undefined;
  }

  async loadCheckpoint(runId: string): Promise<{ state: RunState; seq: number } | undefined> {
    const [row] = await queryRows<{ seq: number; checkpoint: unknown }>(
      this.db,
      sql`select seq, checkpoint from runs where id = ${runId}`,
    );
    if (!row) return undefined;
    const checkpoint: unknown =
      typeof row.checkpoint === "string" ? JSON.parse(row.checkpoint) : row.checkpoint;
    return { state: runStateSchema.parse(checkpoint), seq: row.seq };
  }

  private async updateRun(
    runId: string,
    expectedSeq: number,
    events: readonly RunEvent[],
    checkpoint: RunState,
  ): Promise<CommitResult | undefined> {
    const settled = settlementOf(checkpoint);
    const release = checkpoint.status !== "running";
    const owner = this.options.owner ?? null;
    const leaseMs = this.options.leaseMs ?? 30_000;
    const { spans, delta } = spansForCommit(runId, events, this.resumed, checkpoint);
    const step: StepCommit = {
      runId,
      expectedSeq,
      events,
      checkpoint,
      settled,
      release,
      owner,
      leaseMs,
      spans,
      delta,
    };
    const batcher = release || settled ? undefined : commitBatcherFor(this.db);
    if (!batcher) return this.updateRunAlone(step);
    const written = await batcher.commit({
      ...step,
      alone: async () => (await this.updateRunAlone(step))?.n === 1,
    });
    if (written) return { n: 1, current: checkpoint.seq };
    const [row] = await queryRows<{ seq: number }>(
      this.db,
      sql`select seq from runs where id = ${runId}`,
    );
    return { n: 0, current: row?.seq ?? null };
  }

  /** The step's commit as a statement of its own; settles the run when the step ends it. */
  private async updateRunAlone(step: StepCommit): Promise<CommitResult | undefined> {
    const {
      runId,
      expectedSeq,
      events,
      checkpoint,
      settled,
      release,
      owner,
      leaseMs,
      spans,
      delta,
    } = step;
    const endedAt = settled ? Math.max(...events.map((e) => e.at)) : null;
    const [row] = await queryRows<CommitResult>(
      this.db,
      sql`
      with r as (
        update runs set
          seq = ${checkpoint.seq},
          checkpoint = ${JSON.stringify(checkpoint)}::jsonb,
          status = ${checkpoint.status},
          lease_owner = case when ${release} then null else lease_owner end,
          lease_expires_at = case when ${release} then null
            when lease_owner is null then lease_expires_at
            else now() + ${leaseMs} * interval '1 millisecond' end,
          updated_at = now(),
          cost_usd = cost_usd + ${delta.costUsd},
          input_tokens = input_tokens + ${delta.inputTokens},
          output_tokens = output_tokens + ${delta.outputTokens},
          llm_calls = llm_calls + ${delta.llmCalls},
          errors = errors + ${delta.errors},
          agents = ${mergeNames("agents", delta.agents)},
          models = ${mergeNames("models", delta.models)},
          ended_at = case when ${endedAt}::float8 is null then ended_at else to_timestamp(${endedAt}::float8 / 1000.0) end,
          duration_ms = case when ${endedAt}::float8 is null then duration_ms
            else ${endedAt}::float8 - extract(epoch from created_at) * 1000 end
        where id = ${runId} and seq = ${expectedSeq}
          and (${owner}::text is null or lease_owner = ${owner}::text)
        returning id, conversation_id, trace_id
      ), e as (${insertEvents(events)}),
      s as (${insertSpans(runId, spans)})
      ${settled ? settle(runId, settled) : sql``}
      ${settled ? insertEscalation(checkpoint, events) : sql``}
      ${endedAt !== null ? closeRootSpan(runId, endedAt, checkpoint.status) : sql``}
      select (select count(*)::int from r) as n, (select seq from runs where id = ${runId}) as current`,
    );
    return row;
  }

  private async insertRun(
    runId: string,
    events: readonly RunEvent[],
    checkpoint: RunState,
  ): Promise<CommitResult | undefined> {
    const target = this.options.newRun;
    if (!target) throw new Error("PgRunStore: creating a run needs options.newRun");
    const [row] = await queryRows<CommitResult>(
      this.db,
      sql`
      with r as (
        insert into runs (id, conversation_id, chain, status, seq, checkpoint, trace_id, priority, created_at)
        values (${runId}, ${target.conversationId}, ${checkpoint.chain}, ${checkpoint.status},
          ${checkpoint.seq}, ${JSON.stringify(checkpoint)}::jsonb, ${target.traceId}, ${target.priority ?? 0},
          to_timestamp(${events[0]?.at ?? Date.now()}::float8 / 1000.0))
        on conflict (id) do nothing
        returning id, conversation_id, trace_id
      ), e as (${insertEvents(events)}),
      s as (${insertSpans(runId, spansForCommit(runId, events, undefined, checkpoint).spans)})
      select (select count(*)::int from r) as n, 0 as current`,
    );
    return row;
  }
}

interface StepCommit {
  runId: string;
  expectedSeq: number;
  events: readonly RunEvent[];
  checkpoint: RunState;
  settled: ReturnType<typeof settlementOf>;
  release: boolean;
  owner: string | null;
  leaseMs: number;
  spans: SpanRecord[];
  delta: TraceDelta;
}

interface CommitResult {
  n: number;
  current: number | null;
}

/** Inserts the events only if the run row was written (`from r`), so a refused commit adds none. */
function insertEvents(events: readonly RunEvent[]) {
  return sql`${insertEventColumns} select r.id, ${eventValues}
    from r, jsonb_to_recordset(${JSON.stringify(eventRows(events))}::jsonb) as ${eventRecord}`;
}

/** Spans of the commit, attached to the run's trace; a re-derived span that exists is skipped. */
function insertSpans(runId: string, spans: readonly SpanRecord[]) {
  return sql`${insertSpanColumns} select r.trace_id, ${spanValues}
    from r, jsonb_to_recordset(${JSON.stringify(spanRows(runId, spans))}::jsonb) as ${spanRecord}
    on conflict (trace_id, span_id) do nothing`;
}

/**
 * The run's `agents` or `models` with the commit's names added. Left as it is when it holds them
 * already (most steps): rewriting a GIN-indexed column, even with an equal value in another order,
 * makes the row update non-HOT and adds entries to every index of `runs`.
 */
function mergeNames(column: "agents" | "models", names: readonly string[]) {
  const col = sql.raw(column);
  const added = sql`array(select jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))`;
  return sql`case when ${col} @> ${added} then ${col}
    else array(select distinct unnest(${col} || ${added})) end`;
}

/** When the run stops, its root span gets its end and outcome. */
function closeRootSpan(runId: string, endedAt: number, status: string) {
  const spanStatus = status === "failed" ? "error" : "ok";
  return sql`,
    rs as (
      update spans set ended_at = to_timestamp(${endedAt}::float8 / 1000.0),
        duration_ms = ${endedAt}::float8 - extract(epoch from spans.started_at) * 1000,
        status = ${spanStatus}, attributes = spans.attributes || ${JSON.stringify({ "switchyard.outcome": status })}::jsonb
      from r where spans.trace_id = r.trace_id and spans.span_id = ${rootSpanId(runId)}
    )`;
}

/** The settle part of the commit: the customer's reply and the conversation's new status. */
function settle(runId: string, s: NonNullable<ReturnType<typeof settlementOf>>) {
  const messageId = newId("msg");
  return sql`,
    m as (
      insert into messages (id, conversation_id, role, author, run_id, content)
      select ${messageId}, r.conversation_id, 'agent', ${s.author}, ${runId}, ${s.reply}::text
      from r where ${s.reply}::text is not null
    ), c as (
      update conversations set status = ${s.conversationStatus}::conversation_status, updated_at = now()
      from r where conversations.id = r.conversation_id
    )`;
}
