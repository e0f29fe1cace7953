import { type SQL, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  createdRunRow,
  insertLlmCallColumns,
  insertSpanColumns,
  insertStepColumns,
  llmCallRecord,
  llmCallRows,
  llmCallValues,
  type RunWrite,
  settlementRow,
  spanRecord,
  spanRows,
  spanValues,
  stepRow,
  updatedRunRow,
} from "./commit-rows";
import { queryCompiled } from "./sql";

/**
 * Commits any number of runs' steps as ONE statement and one transaction: creations, mid-run steps
 * and settlements alike. A creation is guarded by its run id being new. Every other commit is
 * guarded by its step row's key (run id, first seq): commits are contiguous, so a writer whose
 * run ended at seq e collides with whichever commit starts at e + 1, and the lease is checked by
 * reading the run row. A mid-run step that leaves its checkpoint to the log writes nothing else
 * of the run row (the step log's phase B, docs/step-log.md); a commit that stores its checkpoint
 * updates the row too, after its step row went in. The step's stored spans and LLM calls, and a
 * settlement's reply, conversation status, root span and inbox entry, are written only for the
 * runs whose guard passed, so a refused run adds nothing. The text never depends on the writes
 * (each part travels as one JSON parameter), so one prepared statement serves every commit,
 * alone or grouped (commit-batch.ts). Run rows and steps go in as json, not jsonb, and are stored
 * so: checkpoints and events keep the runtime's key order, which a replay of the log needs
 * (lib/runtime/log-replay).
 *
 * Returns the ids of the runs written. Callers must not put two writes of one run in one call.
 */
export async function commitRuns(db: Database, writes: readonly RunWrite[]): Promise<Set<string>> {
  const created = writes.filter((w) => w.expectedSeq === 0).map(createdRunRow);
  const stored = writes.filter((w) => w.expectedSeq !== 0 && !w.deferCheckpoint).map(updatedRunRow);
  // Any commit may settle its run, a creation too (RunLoop.start's first step).
  const settlements = writes.map(settlementRow);
  const settled = settlements.filter((s) => s !== null);
  const steps = writes.map((w) => stepRow(w.runId, w.events, w.owner, w.expectedSeq === 0)).filter((x) => x !== null);
  const spans = writes.flatMap((w, i) => spanRows(w.runId, w.spans, settlements[i]));
  const llmCalls = writes.flatMap((w) => llmCallRows(w.runId, w.llmCalls));
  // Only the parts this group needs: an empty part still runs, measurably, on every step.
  const statement = statementFor({
    creates: created.length > 0,
    continues: created.length < writes.length,
    stores: stored.length > 0,
    settles: settled.length > 0,
  });
  const rows = await queryCompiled<{ id: string }>(db, statement, {
    created: JSON.stringify(created),
    updated: JSON.stringify(stored),
    steps: JSON.stringify(steps),
    spans: JSON.stringify(spans),
    llm: JSON.stringify(llmCalls),
    settled: JSON.stringify(settled),
  });
  return new Set(rows.map((row) => row.id));
}

const param = (name: string) => sql.placeholder(name);

/**
 * New run rows (a run's first commit: its creation, perhaps with its first step); a run that
 * exists already is refused.
 */
const createPart = sql`
    c as (
      select * from json_to_recordset(${param("created")}::json) as c(id text,
        conversation_id text, chain text, status text, seq int, checkpoint json, trace_id text,
        priority int, created_at double precision, owner text, lease_ms double precision,
        ended_at double precision, cost_usd double precision, input_tokens int, output_tokens int,
        llm_calls int, errors int, agents text[], models text[])
    ), ins as (
      insert into runs (id, conversation_id, chain, status, seq, checkpoint, trace_id, priority,
        created_at, lease_owner, lease_expires_at, ended_at, duration_ms, cost_usd, input_tokens,
        output_tokens, llm_calls, errors, agents, models)
      select id, conversation_id, chain, status, seq, checkpoint, trace_id, priority,
        to_timestamp(created_at / 1000.0), owner,
        case when owner is null then null else now() + lease_ms * interval '1 millisecond' end,
        to_timestamp(ended_at / 1000.0), ended_at - created_at, cost_usd, input_tokens,
        output_tokens, llm_calls, errors, agents, models
      from c
      on conflict (id) do nothing
      returning id, conversation_id, trace_id
    )`;

/**
 * The step rows: a created run's goes in with its run row; a continuing run's is its commit's
 * guard. The key (run_id, seq) refuses a second writer of the same step, and a stale writer too:
 * the commit after the seq it knows exists already. A worker's commit also needs its lease, read
 * from the run row; no row lock is taken, since the key decides between writers.
 */
const stepsPart = (creates: boolean, continues: boolean) => sql.join(
  [
    sql`sx as (select * from json_to_recordset(${param("steps")}::json) as sx(run_id text, seq int,
      events json, owner text, creating boolean))`,
    // json, not jsonb, all the way: the log keeps the runtime's key order (migration 0018).
    ...(creates ? [sql`ec as (${insertStepColumns} select sx.run_id, sx.seq, sx.events from sx join ins on ins.id = sx.run_id)`] : []),
    ...(continues
      ? [
          sql`es as (
      ${insertStepColumns} select sx.run_id, sx.seq, sx.events
      from sx
      -- A scalar subquery, not a join: one probe of runs' primary key per step, whatever the
      -- planner believes. A statement's generic plan is cached per connection and planned with
      -- json_to_recordset's fixed estimate of 100 rows; planned while a table was small (a new
      -- database, before autovacuum analyzes it), joins hashed the whole table on every commit:
      -- 0.75 ms of a 1 ms statement at 1,800 runs, growing with the table until a replan. The
      -- updates below cannot probe per row, so each also names its keys as \`= any(array(...))\`,
      -- which the planner serves from the primary key unless it believes the table tiny.
      where not sx.creating
        and (select sx.owner is null or runs.lease_owner = sx.owner from runs where runs.id = sx.run_id)
      on conflict (run_id, seq) do nothing
      returning run_id
    )`,
        ]
      : []),
  ],
  sql`, `,
);

/**
 * The run rows of commits that store their checkpoint, each once its step row went in (`es`).
 * Unguarded otherwise: the step row decided, and a row written without its step would fork the
 * run. The totals carry what the steps since the last stored checkpoint added (PgRunStore).
 */
const updatePart = sql`
    u as (
      select * from json_to_recordset(${param("updated")}::json) as u(id text,
        seq int, checkpoint json, status text, lease_ms double precision, release boolean,
        ended_at double precision, cost_usd double precision, input_tokens int, output_tokens int,
        llm_calls int, errors int, agents text[], models text[])
    ), upd as (
      update runs set
        seq = u.seq,
        checkpoint = u.checkpoint,
        -- Set by phase C's deferred steps, which updated seq; since phase B they leave the row
        -- alone, and the row's seq is its checkpoint's.
        checkpoint_seq = null,
        status = u.status,
        lease_owner = case when u.release then null else runs.lease_owner end,
        lease_expires_at = case when u.release then null
          when runs.lease_owner is null then runs.lease_expires_at
          else now() + u.lease_ms * interval '1 millisecond' end,
        updated_at = now(),
        cost_usd = runs.cost_usd + u.cost_usd,
        input_tokens = runs.input_tokens + u.input_tokens,
        output_tokens = runs.output_tokens + u.output_tokens,
        llm_calls = runs.llm_calls + u.llm_calls,
        errors = runs.errors + u.errors,
        -- Unindexed (migration 0011), so a step that names a new agent still updates in place.
        agents = case when runs.agents @> u.agents then runs.agents
          else array(select distinct unnest(runs.agents || u.agents)) end,
        models = case when runs.models @> u.models then runs.models
          else array(select distinct unnest(runs.models || u.models)) end,
        ended_at = case when u.ended_at is null then runs.ended_at
          else to_timestamp(u.ended_at / 1000.0) end,
        duration_ms = case when u.ended_at is null then runs.duration_ms
          else u.ended_at - extract(epoch from runs.created_at) * 1000 end
      from u join es on es.run_id = u.id
      where runs.id = u.id and runs.id = any(array(select run_id from es)) -- a key probe, see \`es\`
    )`;

/** The stored spans and LLM calls of the runs in `r`, the ones written. */
const tracePart = sql`
    s as (
      ${insertSpanColumns} select r.trace_id, ${spanValues}
      from r join jsonb_to_recordset(${param("spans")}::jsonb) as ${spanRecord} on x.run_id = r.id
      on conflict (trace_id, span_id) do nothing
    ), lc as (
      ${insertLlmCallColumns} select r.trace_id, ${llmCallValues}
      from r join jsonb_to_recordset(${param("llm")}::jsonb) as ${llmCallRecord} on x.run_id = r.id
      on conflict (trace_id, span_id) do nothing
    )`;

/** A settlement's reply, conversation status, inbox entry and root span, for the runs in `r`. */
const settlePart = sql`
    st as (
      select st.*, r.conversation_id, r.trace_id
      from r join jsonb_to_recordset(${param("settled")}::jsonb) as st(run_id text, seq int,
        message_id text, reply text, author text, conversation_status text, ended_at double precision,
        root_span text, span_status text, outcome jsonb, esc_id text, reason text, detail text,
        kind text, agent text, priority int, sla_minutes int) on st.run_id = r.id
    ), m as (
      insert into messages (id, conversation_id, role, author, run_id, content)
      select message_id, conversation_id, 'agent', author, run_id, reply from st where reply is not null
    ), cv as (
      -- Two runs of one conversation settling together: the later one decides its status.
      update conversations set status = x.conversation_status::conversation_status, updated_at = now()
      from (select distinct on (conversation_id) conversation_id, conversation_status from st
        order by conversation_id, ended_at desc) x
      where conversations.id = x.conversation_id
        and conversations.id = any(array(select conversation_id from st)) -- a key probe, see \`es\`
    ), esc as (
      insert into escalations (id, conversation_id, run_id, run_seq, reason, detail, kind, agent,
        priority, sla_due_at)
      select esc_id, conversation_id, run_id, seq, reason, detail, kind::escalation_kind, agent,
        priority, now() + sla_minutes * interval '1 minute'
      from st where esc_id is not null
      on conflict (run_id, run_seq) do nothing
    ), rs as (
      update spans set ended_at = to_timestamp(st.ended_at / 1000.0),
        duration_ms = st.ended_at - extract(epoch from spans.started_at) * 1000,
        status = st.span_status, attributes = spans.attributes || st.outcome,
        -- Ended before: the run was parked for a person and went on. Its root goes past the OTLP
        -- exporter's cursor again, taking the spans of its later steps with it.
        ingest_id = case when spans.ended_at is null then spans.ingest_id
          else nextval('spans_ingest_id_seq') end
      from st where spans.trace_id = st.trace_id and spans.span_id = st.root_span
        -- Key probes, see \`es\`.
        and spans.trace_id = any(array(select trace_id from st))
        and spans.span_id = any(array(select root_span from st))
    )`;

export interface Mix {
  creates: boolean;
  /** Any commit of a run that exists already. */
  continues: boolean;
  /** Any of those storing its checkpoint. */
  stores: boolean;
  settles: boolean;
}

/**
 * The statement for a mix of commits: only the parts it needs (an empty part still costs its
 * execution on every step), each text compiled once. Exported for the plan test
 * (tests/integration/commit-plan.test.ts).
 */
export function statementFor(mix: Mix): SQL {
  const key = `${+mix.creates}${+mix.continues}${+mix.stores}${+mix.settles}`;
  let statement = statements.get(key);
  if (statement) return statement;
  const written = [
    ...(mix.creates ? [sql`select id, conversation_id, trace_id from ins`] : []),
    // The run's immutable columns, read: `es` holds the guard's verdict. `offset 0` keeps the
    // lateral subquery from being flattened into a join, so it stays a primary-key probe per
    // step whatever the cached plan believes of the table's size (see `es`).
    ...(mix.continues
      ? [sql`select es.run_id as id, rr.conversation_id, rr.trace_id from es cross join lateral
          (select conversation_id, trace_id from runs where runs.id = es.run_id offset 0) rr`]
      : []),
  ];
  const parts = [
    ...(mix.creates ? [createPart] : []),
    stepsPart(mix.creates, mix.continues),
    ...(mix.stores ? [updatePart] : []),
    sql`r as (${sql.join(written, sql` union all `)})`,
    tracePart,
    ...(mix.settles ? [settlePart] : []),
  ];
  statement = sql`with ${sql.join(parts, sql`, `)} select id from r`;
  statements.set(key, statement);
  return statement;
}
const statements = new Map<string, SQL>();
