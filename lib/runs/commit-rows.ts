import { sql } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { RunEvent, RunState } from "@/lib/runtime";
import {
  lastEventAt,
  type LlmCallRecord,
  rootSpanId,
  type SpanRecord,
  storedAttributes,
  storedPayload,
  type TraceDelta,
} from "@/lib/tracing/spans";
import { escalationOf } from "./escalation-commit";
import { settlementOf } from "./settlement";
import { jsonbValue } from "./sql";

// A commit's events and spans as JSON records, and the SQL that turns them back into rows. Each
// part goes to the server as one JSONB parameter, so a statement's text does not depend on how
// many rows it writes and one prepared statement serves every commit. `run_id` tags the rows of a
// group commit (commit-batch.ts); a single run's commit ignores it.

/**
 * A commit's events as its one `run_steps` row (db/schema/conversations.ts): keyed by the first
 * event's seq, each event without `runId`, which the row holds once, and without a null agent,
 * which the `run_events` view reads back as null; with what the row's guard reads (commit-runs.ts):
 * whose lease the commit needs, and whether it creates the run. Null for a commit without events.
 */
export function stepRow(runId: string, events: readonly RunEvent[], owner: string | null = null, creating = false) {
  if (events.length === 0) return null;
  return { run_id: runId, seq: events[0]!.seq, events: events.map(storedEvent), owner, creating };
}

/** A step row's events as the runtime made them: the row holds `runId` once and omits a null agent. */
export function eventsOfStepRow(runId: string, stored: unknown): RunEvent[] {
  const events = jsonbValue(stored);
  if (!Array.isArray(events)) return [];
  return events.map(
    (e: Record<string, unknown>) => ({ agent: null, agentVersion: null, ...e, runId }) as RunEvent,
  );
}

function storedEvent({ runId: _runId, ...event }: RunEvent) {
  if (event.agent !== null) return event;
  const { agent: _agent, agentVersion: _version, ...rest } = event;
  return rest;
}

/**
 * A run's last committed seq, for a query whose `runs` row is aliased `r`: its last step row's end,
 * since a mid-run step leaves `runs.seq` at the last stored checkpoint (docs/step-log.md, phase B).
 */
export const lastCommittedSeq = sql.raw(`coalesce((select s.seq + json_array_length(s.events) - 1
  from run_steps s where s.run_id = r.id order by s.seq desc limit 1), r.seq)`);

export const insertStepColumns = sql.raw(`insert into run_steps (run_id, seq, events)`);
export const stepRecord = sql.raw(`x(run_id text, seq int, events json)`);

/**
 * A commit's span rows: the spans `commitTrace` keeps (the stored ones, `isStoredSpan`). A settling
 * commit ends the root span; when it also writes that span (a
 * run created and settled by one commit), the span goes in already ended, since the statement's
 * update of the root span cannot see a row the same statement inserts.
 */
export function spanRows(runId: string, spans: readonly SpanRecord[], settlement?: Settlement | null) {
  return spans.map((x) =>
    settlement && x.spanId === settlement.root_span
      ? {
          ...spanRow(runId, x),
          status: settlement.span_status,
          ended_at: settlement.ended_at,
          attributes: { ...storedAttributes(x), ...settlement.outcome },
        }
      : spanRow(runId, x),
  );
}

function spanRow(runId: string, x: SpanRecord) {
  return {
    run_id: runId,
    span_id: x.spanId,
    parent_span_id: x.parentSpanId,
    name: x.name,
    kind: x.kind,
    status: x.status,
    agent: x.agent,
    agent_version: x.agentVersion,
    model: x.model,
    tier: x.tier,
    started_at: x.startedAt,
    ended_at: x.endedAt,
    input_tokens: x.inputTokens,
    output_tokens: x.outputTokens,
    cost_usd: x.costUsd,
    error: x.error,
    attributes: storedAttributes(x),
    payload: storedPayload(x),
  };
}

/** A commit's LLM calls as `llm_calls` rows (db/schema/traces.ts): what the readers across runs aggregate. */
export function llmCallRows(runId: string, calls: readonly LlmCallRecord[]) {
  return calls.map((x) => ({
    run_id: runId,
    span_id: x.spanId,
    started_at: x.startedAt,
    ended_at: x.endedAt,
    agent: x.agent,
    agent_version: x.agentVersion,
    model: x.model,
    tier: x.tier,
    status: x.status,
    input_tokens: x.inputTokens,
    output_tokens: x.outputTokens,
    cached_input_tokens: x.cachedInputTokens,
    cost_usd: x.costUsd,
  }));
}

export const llmCallRecord = sql.raw(`x(run_id text, span_id text, started_at double precision,
  ended_at double precision, agent text, agent_version int, model text, tier text, status text,
  input_tokens int, output_tokens int, cached_input_tokens int, cost_usd double precision)`);

export const insertLlmCallColumns = sql.raw(`insert into llm_calls (trace_id, span_id, run_id,
  started_at, duration_ms, agent, agent_version, model, tier, status, input_tokens, output_tokens,
  cached_input_tokens, cost_usd)`);

export const llmCallValues = sql.raw(`x.span_id, r.id, to_timestamp(x.started_at / 1000.0),
  x.ended_at - x.started_at, x.agent, x.agent_version, x.model, x.tier, x.status, x.input_tokens,
  x.output_tokens, x.cached_input_tokens, x.cost_usd`);

export const spanRecord = sql.raw(`x(run_id text, span_id text, parent_span_id text, name text,
  kind text, status text, agent text, agent_version int, model text, tier text,
  started_at double precision, ended_at double precision, input_tokens int, output_tokens int,
  cost_usd double precision, error text, attributes jsonb, payload jsonb)`);

/** The columns `spanValues` fills, after the trace id; the WAL floor (scripts/bench) writes them too. */
export const spanColumns = `trace_id, span_id, parent_span_id, run_id, name, kind,
  status, agent, agent_version, model, tier, started_at, ended_at, duration_ms, input_tokens, output_tokens,
  cost_usd, error, attributes, payload`;

export const insertSpanColumns = sql.raw(`insert into spans (${spanColumns})`);

export const spanValues =
  sql.raw(`x.span_id, x.parent_span_id, r.id, x.name, x.kind, x.status, x.agent,
  x.agent_version, x.model, x.tier, to_timestamp(x.started_at / 1000.0), to_timestamp(x.ended_at / 1000.0),
  x.ended_at - x.started_at, x.input_tokens, x.output_tokens, x.cost_usd, x.error,
  coalesce(x.attributes, '{}'::jsonb), x.payload`);

/**
 * One run's commit as the shared statement (commit-runs.ts) takes it: a creation (expectedSeq 0,
 * with `create`), a mid-run step, or the step that settles the run.
 */
export interface RunWrite {
  runId: string;
  expectedSeq: number;
  checkpoint: RunState;
  events: readonly RunEvent[];
  /**
   * A mid-run step whose checkpoint its events rebuild (log-replay/): it writes its step row and
   * trace alone, and the run row keeps its older checkpoint, seq and totals.
   */
  deferCheckpoint?: boolean;
  /** The spans the commit stores (`isStoredSpan`) and its LLM calls (`commitTrace`). */
  spans: readonly SpanRecord[];
  llmCalls: readonly LlmCallRecord[];
  delta: TraceDelta;
  /** The worker holding the lease; null for a writer without one (the API, the backfill). */
  owner: string | null;
  leaseMs: number;
  /** Required on a run's first commit: the row to insert. */
  create?: { conversationId: string; traceId: string; priority: number };
}

/**
 * The run row of a creating commit: the creation alone (the API's), or with the run's first step
 * (`RunLoop.start`), which may settle it too.
 */
export function createdRunRow(w: RunWrite) {
  const c = w.create!;
  const { release, ended_at } = ending(w);
  return {
    id: w.runId,
    conversation_id: c.conversationId,
    chain: w.checkpoint.chain,
    status: w.checkpoint.status,
    seq: w.checkpoint.seq,
    checkpoint: w.checkpoint,
    trace_id: c.traceId,
    priority: c.priority,
    created_at: w.events[0]?.at ?? Date.now(),
    owner: release ? null : w.owner,
    lease_ms: w.leaseMs,
    ended_at,
    ...totals(w.delta),
  };
}

/**
 * The run row of a commit that stores its checkpoint (a step that defers it writes no run row):
 * seq, checkpoint, status, the lease, and the trace's totals since the last stored checkpoint.
 */
export function updatedRunRow(w: RunWrite) {
  return {
    id: w.runId,
    seq: w.checkpoint.seq,
    checkpoint: w.checkpoint,
    status: w.checkpoint.status,
    lease_ms: w.leaseMs,
    ...ending(w),
    ...totals(w.delta),
  };
}

/** Whether the commit ends the run, which releases its lease, and when the run ended if so. */
function ending(w: RunWrite) {
  const release = w.checkpoint.status !== "running";
  return { release, ended_at: release ? endedAt(w.events) : null };
}

/** What a commit adds to the trace's totals on the run row. */
function totals(delta: TraceDelta) {
  return {
    cost_usd: delta.costUsd,
    input_tokens: delta.inputTokens,
    output_tokens: delta.outputTokens,
    llm_calls: delta.llmCalls,
    errors: delta.errors,
    agents: delta.agents,
    models: delta.models,
  };
}

/** A settling commit's row for the statement's settlement part. */
export type Settlement = NonNullable<ReturnType<typeof settlementRow>>;

/**
 * What a settling commit writes besides the run: the customer's reply, the conversation's status,
 * the root span's end and outcome, and the inbox entry. Null while the run still runs. Fresh ids
 * per call: a group that failed wrote nothing, so its steps' retries may take new ones.
 */
export function settlementRow(w: RunWrite) {
  const s = settlementOf(w.checkpoint);
  if (!s) return null;
  const esc = escalationOf(w.checkpoint, w.events);
  return {
    run_id: w.runId,
    seq: w.checkpoint.seq,
    message_id: newId("msg"),
    reply: s.reply,
    author: s.author,
    conversation_status: s.conversationStatus,
    ended_at: endedAt(w.events),
    root_span: rootSpanId(w.runId),
    span_status: w.checkpoint.status === "failed" ? "error" : "ok",
    outcome: { "switchyard.outcome": w.checkpoint.status },
    esc_id: esc ? newId("esc") : null,
    reason: esc?.reason ?? null,
    detail: esc?.detail ?? null,
    kind: esc?.kind ?? null,
    agent: esc?.agent ?? null,
    priority: esc?.priority ?? null,
    sla_minutes: esc?.slaMinutes ?? null,
  };
}

/** A run ends at its last event: the trace's end and the sampler's cursor both read it. */
const endedAt = (events: readonly RunEvent[]) => lastEventAt(events) ?? Date.now();
