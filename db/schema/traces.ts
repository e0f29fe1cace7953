import { sql } from "drizzle-orm";
import {
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * Trace spans, one trace per run (conversation turn). Written by the same statement that commits
 * a step's events, with ids derived from the run and the event, so a step that is retried after a
 * crash writes the same spans again (ON CONFLICT DO NOTHING) instead of orphans or duplicates.
 * A step's own span and its LLM spans are not stored: readers derive them from the step's
 * `run_steps` row (lib/tracing/derived-spans.ts), and the LLM calls are `llm_calls` rows for the
 * aggregates. Runs from before that have theirs stored.
 */
export const spans = pgTable(
  "spans",
  {
    traceId: text("trace_id").notNull(),
    spanId: text("span_id").notNull(),
    parentSpanId: text("parent_span_id"),
    /** No foreign key, for the reason given at `runSteps` (db/schema/conversations.ts). */
    runId: text("run_id").notNull(),
    /** Insertion order, for the OTLP exporter's cursor. */
    ingestId: bigserial("ingest_id", { mode: "number" }).notNull(),
    name: text("name").notNull(),
    /** run | step | llm | tool | handoff | validation | retry | guardrail | escalation | resume | human */
    kind: text("kind").notNull(),
    status: text("status").notNull(),
    agent: text("agent"),
    agentVersion: integer("agent_version"),
    model: text("model"),
    tier: text("tier"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    durationMs: doublePrecision("duration_ms"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    costUsd: doublePrecision("cost_usd"),
    error: text("error"),
    /** Small, list-safe attributes (GenAI semantic-convention names where one exists). */
    attributes: jsonb("attributes").notNull().default({}),
    /** Inputs and outputs for the detail view only; never selected by lists. A span derived from
     *  an event stores `{"$event": seq}` instead, and the payload is derived from that event
     *  (lib/tracing/payload.ts). */
    payload: jsonb("payload"),
    /** On a root span: the last event whose derived spans (steps, LLM calls) the OTLP exporter
     *  has sent. A run parked for a person and continued ends its root again later, and then only
     *  the spans of its later events go out with it. */
    exportedSeq: integer("exported_seq"),
  },
  (t) => [
    primaryKey({ name: "spans_pkey", columns: [t.traceId, t.spanId] }),
    // No (run_id) index: a run has one trace, so its spans are found through the primary key's
    // leading trace_id (runs.trace_id), and each step's 2+ spans saved an entry each (0013).
    // Partial: queries name an agent, and the run and step spans (about half of all) have none.
    index("spans_agent_started_idx").on(t.agent, t.startedAt).where(sql`${t.agent} is not null`),
    // Partial: queries by kind name an llm, retry, handoff or routing span, never a run or step
    // span, which are over half of all spans (0013).
    index("spans_kind_started_idx")
      .on(t.kind, t.startedAt)
      .where(sql`${t.kind} not in ('run', 'step')`),
    index("spans_ingest_idx").on(t.ingestId),
  ],
);


/**
 * One row per LLM call, for the readers across runs (metrics, alerts, Prometheus, routing, the
 * budget overview and the spend gate). An LLM span is not stored in `spans` (step log phase D,
 * docs/step-log.md): its trace and detail readers derive it from the step's `run_steps` row, so
 * what is written per call is only the columns those aggregates read, under one B-tree (the
 * primary key, which also serves per-trace probes) and a BRIN index on the start time: calls are
 * inserted in about the order they start, so the time windows every aggregate names need no
 * per-row index entry. Rows written before this table came from the stored LLM spans (0015).
 */
export const llmCalls = pgTable(
  "llm_calls",
  {
    traceId: text("trace_id").notNull(),
    /** The id the call's span has in the trace (derived on read). */
    spanId: text("span_id").notNull(),
    /** No foreign key, for the reason given at `runSteps` (db/schema/conversations.ts). */
    runId: text("run_id").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    durationMs: doublePrecision("duration_ms"),
    agent: text("agent"),
    agentVersion: integer("agent_version"),
    model: text("model"),
    tier: text("tier"),
    /** ok | error, as the span's status. */
    status: text("status").notNull(),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    cachedInputTokens: integer("cached_input_tokens"),
    costUsd: doublePrecision("cost_usd"),
  },
  (t) => [
    primaryKey({ name: "llm_calls_pkey", columns: [t.traceId, t.spanId] }),
    index("llm_calls_started_brin").using("brin", t.startedAt).with({ autosummarize: true }),
  ],
);
