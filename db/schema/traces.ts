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
 * A step's own span is not stored: readers derive it from the step's `run_steps` row
 * (lib/tracing/step-spans.ts). Runs from before that have theirs stored.
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

