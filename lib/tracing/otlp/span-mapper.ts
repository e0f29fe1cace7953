import { type Attributes, SpanKind, SpanStatusCode, TraceFlags } from "@opentelemetry/api";
import { millisToHrTime } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { spanAttributes } from "../spans";

/**
 * The columns of a stored span the exporter reads. `payload` (inputs, outputs, tool arguments) is
 * deliberately absent: it stays in Postgres for the console's detail view and never leaves it.
 */
export interface StoredSpan {
  ingestId: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  runId: string;
  conversationId: string;
  name: string;
  kind: string;
  status: string;
  agent: string | null;
  agentVersion: number | null;
  model: string | null;
  tier: string | null;
  startedAt: Date;
  endedAt: Date | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  error: string | null;
  attributes: unknown;
  /** A root span's export marker (db/schema/traces.ts `exportedSeq`); null on other spans. */
  exportedSeq?: number | null;
}

export const INSTRUMENTATION_SCOPE = { name: "switchyard", version: "1" } as const;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
/** Error text is a short classification plus the provider's message; cap it like any attribute. */
const MAX_ERROR_CHARS = 256;

/** Whether the exporter may send the span yet: only the root `run` span is written before its end. */
export function isComplete(span: Pick<StoredSpan, "kind" | "endedAt">): boolean {
  return span.kind !== "run" || span.endedAt !== null;
}

/** Ids that are not W3C-shaped would be rejected by the collector (and poison the batch). */
export function hasValidIds(span: Pick<StoredSpan, "traceId" | "spanId" | "parentSpanId">): boolean {
  return (
    TRACE_ID.test(span.traceId) &&
    SPAN_ID.test(span.spanId) &&
    (span.parentSpanId === null || SPAN_ID.test(span.parentSpanId))
  );
}

/**
 * A stored span as the OTLP exporter's input. Trace, span and parent ids are the stored ones, so
 * the exported trace is the run's trace (one per conversation turn) with the console's tree.
 * Attributes are the stored GenAI/switchyard ones (already list-safe) plus the typed columns
 * under their semantic-convention names.
 */
export function toReadableSpan(span: StoredSpan, resource: Resource): ReadableSpan {
  const startTime = millisToHrTime(span.startedAt.getTime());
  const endMs = Math.max(span.endedAt?.getTime() ?? span.startedAt.getTime(), span.startedAt.getTime());
  const endTime = millisToHrTime(endMs);
  const traceFlags = TraceFlags.SAMPLED;
  return {
    name: span.name,
    kind: span.kind === "llm" ? SpanKind.CLIENT : SpanKind.INTERNAL,
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags, isRemote: false }),
    parentSpanContext: span.parentSpanId
      ? { traceId: span.traceId, spanId: span.parentSpanId, traceFlags, isRemote: false }
      : undefined,
    startTime,
    endTime,
    duration: millisToHrTime(endMs - span.startedAt.getTime()),
    status: statusOf(span),
    attributes: attributesOf(span),
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: INSTRUMENTATION_SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function statusOf(span: StoredSpan): { code: SpanStatusCode; message?: string } {
  if (span.status === "error") {
    return { code: SpanStatusCode.ERROR, message: span.error?.slice(0, MAX_ERROR_CHARS) ?? undefined };
  }
  return { code: span.status === "ok" ? SpanStatusCode.OK : SpanStatusCode.UNSET };
}

function attributesOf(span: StoredSpan): Attributes {
  const out: Attributes = {};
  const stored =
    span.attributes && typeof span.attributes === "object" && !Array.isArray(span.attributes)
      ? (span.attributes as Record<string, unknown>)
      : {};
  // With the ones the columns restate (an LLM span's model, tokens, agent, tier), not stored.
  for (const [key, value] of Object.entries(spanAttributes(span, stored))) {
    // Only scalars: anything structured would be a payload, which is never exported.
    if (typeof value === "string") out[key] = value.slice(0, 1_000);
    else if (typeof value === "number" || typeof value === "boolean") out[key] = value;
  }
  out["gen_ai.conversation.id"] = span.conversationId;
  if (span.agent) out["gen_ai.agent.name"] ??= span.agent;
  out["switchyard.span.kind"] = span.kind;
  out["switchyard.run.id"] = span.runId;
  if (span.agentVersion !== null) out["switchyard.agent.version"] = span.agentVersion;
  if (span.tier) out["switchyard.tier"] = span.tier;
  if (span.costUsd !== null) out["switchyard.cost_usd"] = span.costUsd;
  if (span.status === "error" && out["error.type"] === undefined) {
    out["error.type"] = span.error?.split(":", 1)[0]?.slice(0, 64) || "error";
  }
  return out;
}

