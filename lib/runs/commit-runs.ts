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
  stepRecord,
  stepRow,
  updatedRunRow,
} from "./commit-rows";
import { queryCompiled } from "./sql";

/**
 * Commits any number of runs' steps as ONE statement and one transaction: creations, mid-run steps
 * and settlements alike. Each run row is guarded on its own (a creation by its id being new, a
 * step by its expected seq and its worker's lease); the step's events (one `run_steps` row), its
 * stored spans and LLM calls, and a settlement's reply, conversation status, root span and inbox
 * entry are written only for the rows that were, so a refused run adds nothing. The text never
 * depends on the writes (each part travels as one JSON parameter), so one prepared statement
 * serves every commit, alone or grouped (commit-batch.ts). Run rows and steps go in as json, not
 * jsonb, and are stored so: checkpoints and events keep the runtime's key order, which a replay of
 * the log needs (lib/runtime/log-replay).
 *
 * Returns the ids of the runs written. Callers must not put two writes of one run in one call.
 */
export async function commitRuns(db: Database, writes: readonly RunWrite[]): Promise<Set<string>> {
  const created = writes.filter((w) => w.expectedSeq === 0).map(createdRunRow);
  const updated = writes.filter((w) => w.expectedSeq !== 0).map(updatedRunRow);
  // Any commit may settle its run, a creation too (RunLoop.start's first step).
  const settlements = writes.map(settlementRow);
  const settled = settlements.filter((s) => s !== null);
  const steps = writes.map((w) => stepRow(w.runId, w.events)).filter((x) => x !== null);
  const spans = writes.flatMap((w, i) => spanRows(w.runId, w.spans, settlements[i]));
  const llmCalls = writes.flatMap((w) => llmCallRows(w.runId, w.llmCalls));
  // Only the parts this group needs: an empty part still runs, measurably, on every step.
  const statement = statementFor(created.length > 0, updated.length > 0, settled.length > 0);
  const rows = await queryCompiled<{ id: string }>(db, statement, {
    created: JSON.stringify(created),
    updated: JSON.stringify(updated),
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

/** Guarded updates of existing run rows: each with its own expected seq and lease check. */
const updatePart = sql`
    u as (
      select * from json_to_recordset(${param("updated")}::json) as u(id text, expected int,
        seq int, checkpoint json, status text, owner text, lease_ms double precision, release boolean,
        ended_at double precision, cost_usd double precision, input_tokens int, output_tokens int,
        llm_calls int, errors int, agents text[], models text[])
    ), upd as (
      update runs set
        seq = u.seq,
        -- A step that defers its checkpoint to the log sends none: the row keeps the older one
        -- and the seq it is at, which a load replays from (lib/runtime/log-replay).
        checkpoint = coalesce(u.checkpoint, runs.checkpoint),
        checkpoint_seq = case when u.checkpoint is not null then null
          else coalesce(runs.checkpoint_seq, runs.seq) end,
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
      from u
      where runs.id = u.id and runs.seq = u.expected
        and (u.owner is null or runs.lease_owner = u.owner)
      returning runs.id, runs.conversation_id, runs.trace_id
    )`;

/**
 * The events (one step row per run), stored spans and LLM calls of the runs in `r`, the rows just
 * written.
 */
const writePart = sql`
    e as (
      ${insertStepColumns} select r.id, x.seq, x.events
      -- json, not jsonb, all the way: the log keeps the runtime's key order (migration 0018).
      from r join json_to_recordset(${param("steps")}::json) as ${stepRecord} on x.run_id = r.id
    ), s as (
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
    )`;

/**
 * The statement for a mix of commits: only the parts it needs (an empty part still costs its
 * execution on every step), so at most six texts, each compiled once.
 */
function statementFor(creates: boolean, updates: boolean, settles: boolean): SQL {
  const key = `${+creates}${+updates}${+settles}`;
  let statement = statements.get(key);
  if (statement) return statement;
  const r = creates && updates ? sql`select * from ins union all select * from upd` : creates ? sql`select * from ins` : sql`select * from upd`;
  const parts = [...(creates ? [createPart] : []), ...(updates ? [updatePart] : []), sql`r as (${r})`, writePart, ...(settles ? [settlePart] : [])];
  statement = sql`with ${sql.join(parts, sql`, `)} select id from r`;
  statements.set(key, statement);
  return statement;
}
const statements = new Map<string, SQL>();
