import { sql } from "drizzle-orm";
import type { RunEvent } from "@/lib/runtime";
import type { SpanRecord } from "@/lib/tracing/spans";

/**
 * A commit's events and spans as JSON records, and the SQL that turns them back into rows. Each
 * goes to the server as one JSONB parameter, so a statement's text does not depend on how many
 * rows it writes and one prepared statement serves every commit. `runId` tags the rows of a
 * group commit (commit-batch.ts); a single run's commit ignores it.
 */
export function eventRows(events: readonly RunEvent[]) {
  return events.map(({ runId, seq, type, agent, agentVersion, at, ...data }) => ({
    run_id: runId,
    seq,
    type,
    agent,
    agent_version: agentVersion,
    at,
    data: { type, ...data },
  }));
}

export function spanRows(runId: string, spans: readonly SpanRecord[]) {
  return spans.map((x) => ({
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
    attributes: x.attributes,
    payload: x.payload,
  }));
}

export const eventRecord =
  sql.raw(`x(run_id text, seq int, type text, agent text, agent_version int,
  at double precision, data jsonb)`);

export const spanRecord = sql.raw(`x(run_id text, span_id text, parent_span_id text, name text,
  kind text, status text, agent text, agent_version int, model text, tier text,
  started_at double precision, ended_at double precision, input_tokens int, output_tokens int,
  cost_usd double precision, error text, attributes jsonb, payload jsonb)`);

export const insertEventColumns = sql.raw(
  `insert into run_events (run_id, seq, type, agent, agent_version, at, data)`,
);

export const eventValues = sql.raw(
  `x.seq, x.type, x.agent, x.agent_version, to_timestamp(x.at / 1000.0), x.data`,
);

export const insertSpanColumns =
  sql.raw(`insert into spans (trace_id, span_id, parent_span_id, run_id, name, kind,
  status, agent, agent_version, model, tier, started_at, ended_at, duration_ms, input_tokens, output_tokens,
  cost_usd, error, attributes, payload)`);

export const spanValues =
  sql.raw(`x.span_id, x.parent_span_id, r.id, x.name, x.kind, x.status, x.agent,
  x.agent_version, x.model, x.tier, to_timestamp(x.started_at / 1000.0), to_timestamp(x.ended_at / 1000.0),
  x.ended_at - x.started_at, x.input_tokens, x.output_tokens, x.cost_usd, x.error,
  coalesce(x.attributes, '{}'::jsonb), x.payload`);
