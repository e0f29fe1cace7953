import "server-only";
import { and, asc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db, schema } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { readSpanPayload } from "@/lib/tracing/payload";
import { type AttributeColumns, spanAttributes, traceTotals } from "@/lib/tracing/spans";
import { derivedSpans, notStored, type SpanRow } from "@/lib/tracing/derived-spans";
import type { RunStatus } from "@/lib/runtime";
import { afterCursor, cursorTimestamp, decodeCursor, encodeCursor, newestFirst } from "./keyset-cursor";

/** A run's status (the trace's outcome), as the runtime writes it on the runs row. */
export const traceStatuses = [
  "running",
  "waiting_for_human",
  "completed",
  "escalated",
  "failed",
] as const satisfies readonly RunStatus[];
export type TraceStatus = (typeof traceStatuses)[number];

export const DEFAULT_WINDOW_MS = 24 * 3600_000;
/** The widest time window a list may scan: keeps every list query bounded. */
export const MAX_WINDOW_MS = 31 * 24 * 3600_000;
export const MAX_LIST_LIMIT = 100;
/** Detail view bound, shown in the UI when reached. */
export const TRACE_MAX_SPANS = 2000;

export interface TraceListRowDto {
  traceId: string;
  runId: string;
  conversationId: string;
  chain: string;
  status: string;
  startedAt: string;
  durationMs: number | null;
  costUsd: number;
  tokens: number;
  llmCalls: number;
  errors: number;
  agents: string[];
  models: string[];
}

export interface TraceListPage {
  rows: TraceListRowDto[];
  nextCursor: string | null;
  /** The window actually queried (after defaults and clamping). */
  window: { from: string; to: string };
}

export interface ListTracesOptions {
  from?: Date | null;
  to?: Date | null;
  agent?: string | null;
  status?: TraceStatus | null;
  model?: string | null;
  minCostUsd?: number | null;
  minDurationMs?: number | null;
  cursor?: string | null;
  limit?: number;
  /** Injectable clock for the default window. */
  now?: number;
}

/** The window a list covers: `to` defaults to now, `from` to 24 h before it, at most 31 days wide. */
export function resolveWindow(opts: { from?: Date | null; to?: Date | null; now?: number }): { from: Date; to: Date } {
  const valid = (d: Date | null | undefined) => (d && !Number.isNaN(d.getTime()) ? d : null);
  const to = valid(opts.to) ?? new Date(opts.now ?? Date.now());
  let from = valid(opts.from) ?? new Date(to.getTime() - DEFAULT_WINDOW_MS);
  if (to.getTime() - from.getTime() > MAX_WINDOW_MS) from = new Date(to.getTime() - MAX_WINDOW_MS);
  return { from, to };
}

/**
 * Traces newest first, from the runs table: every filter is a column of the runs row (totals,
 * agents[], models[]), so no span is read; a running run's totals on the page are topped up from
 * its LLM calls (`withLiveTotals`), while its filters see the row's, up to 7 steps behind.
 * Bounded by a time window on runs_created_at_idx and keyset-paginated on (created_at, id). Agent and model filters test the
 * window's rows as the scan meets them: they have no index, because indexing them made every
 * step's run update touch every index of the row (migration 0011). A filter that matches rarely
 * reads the whole window, a filter that matches often stops after a page.
 */
export async function listTraces(opts: ListTracesOptions = {}): Promise<TraceListPage> {
  await authorize("traces:read");
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 50), 1), MAX_LIST_LIMIT);
  const { from, to } = resolveWindow(opts);
  const r = schema.runs;

  const filters: SQL[] = [gte(r.createdAt, from), lt(r.createdAt, to)];
  const agent = opts.agent?.trim().slice(0, 200);
  if (agent) filters.push(sql`${r.agents} @> array[${agent}]::text[]`);
  const model = opts.model?.trim().slice(0, 200);
  if (model) filters.push(sql`${r.models} @> array[${model}]::text[]`);
  if (opts.status) filters.push(eq(r.status, opts.status));
  if (opts.minCostUsd != null && Number.isFinite(opts.minCostUsd) && opts.minCostUsd > 0) {
    filters.push(gte(r.costUsd, opts.minCostUsd));
  }
  if (opts.minDurationMs != null && Number.isFinite(opts.minDurationMs) && opts.minDurationMs > 0) {
    filters.push(gte(r.durationMs, opts.minDurationMs));
  }
  const cursor = decodeCursor(opts.cursor);
  if (cursor) filters.push(afterCursor(r.createdAt, r.id, cursor));

  const rows = from < to
    ? await db()
        .select({
          traceId: r.traceId,
          runId: r.id,
          conversationId: r.conversationId,
          chain: r.chain,
          status: r.status,
          createdAt: r.createdAt,
          cursorAt: cursorTimestamp(r.createdAt),
          durationMs: r.durationMs,
          costUsd: r.costUsd,
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          llmCalls: r.llmCalls,
          errors: r.errors,
          agents: r.agents,
          models: r.models,
        })
        .from(r)
        .where(and(...filters))
        .orderBy(...newestFirst(r.createdAt, r.id))
        .limit(limit + 1)
    : [];

  const page = await withLiveTotals(rows.slice(0, limit));
  const last = page.at(-1);
  return {
    rows: page.map((x) => ({
      traceId: x.traceId,
      runId: x.runId,
      conversationId: x.conversationId,
      chain: x.chain,
      status: x.status,
      startedAt: x.createdAt.toISOString(),
      durationMs: x.durationMs,
      costUsd: x.costUsd,
      tokens: x.inputTokens + x.outputTokens,
      llmCalls: x.llmCalls,
      errors: x.errors,
      agents: x.agents,
      models: x.models,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.runId) : null,
    window: { from: from.toISOString(), to: to.toISOString() },
  };
}

type ListedRun = {
  traceId: string;
  status: string;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  llmCalls: number;
  agents: string[];
  models: string[];
};

/**
 * A running run's row counts its LLM calls up to its last stored checkpoint only (docs/step-log.md,
 * phase B); its `llm_calls` rows, written by every step, count them all. So the page's running
 * runs (few, if any) take their call totals from those rows, through their primary key (trace_id
 * leads it). The larger of the two wins: runs from before the calls had rows of their own counted
 * them on the run row only. Errors stay the row's: they are not all LLM calls.
 */
async function withLiveTotals<T extends ListedRun>(page: T[]): Promise<T[]> {
  const running = page.filter((x) => x.status === "running").map((x) => x.traceId);
  if (running.length === 0) return page;
  const live = await db()
    .select({
      traceId: schema.llmCalls.traceId,
      calls: sql<number>`count(*)::int`,
      costUsd: sql<number>`coalesce(sum(${schema.llmCalls.costUsd}), 0)::float8`,
      inputTokens: sql<number>`coalesce(sum(${schema.llmCalls.inputTokens}), 0)::int`,
      outputTokens: sql<number>`coalesce(sum(${schema.llmCalls.outputTokens}), 0)::int`,
      agents: sql<string[]>`coalesce(array_agg(distinct ${schema.llmCalls.agent}) filter (where ${schema.llmCalls.agent} is not null), '{}')`,
      models: sql<string[]>`coalesce(array_agg(distinct ${schema.llmCalls.model}) filter (where ${schema.llmCalls.model} is not null), '{}')`,
    })
    .from(schema.llmCalls)
    .where(inArray(schema.llmCalls.traceId, running))
    .groupBy(schema.llmCalls.traceId);
  const byTrace = new Map(live.map((x) => [x.traceId, x]));
  return page.map((x) => {
    const calls = byTrace.get(x.traceId);
    if (!calls || calls.calls <= x.llmCalls) return x;
    return {
      ...x,
      costUsd: Math.max(x.costUsd, calls.costUsd),
      inputTokens: Math.max(x.inputTokens, calls.inputTokens),
      outputTokens: Math.max(x.outputTokens, calls.outputTokens),
      llmCalls: calls.calls,
      agents: [...new Set([...x.agents, ...calls.agents])],
      models: [...new Set([...x.models, ...calls.models])],
    };
  });
}

export type AttributeValue = string | number | boolean;

/** One span without its payload, positioned relative to the trace's start. */
export interface TraceSpanDto {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  status: string;
  agent: string | null;
  agentVersion: number | null;
  model: string | null;
  tier: string | null;
  startedAt: string;
  /** Milliseconds after the trace's start (the earliest span start, normally the root's). */
  startOffsetMs: number;
  /** Null while the span is still open (a running run's root span). */
  durationMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  error: string | null;
  attributes: Record<string, AttributeValue>;
}

export interface TraceDetailDto {
  traceId: string;
  runId: string;
  conversationId: string;
  chain: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  llmCalls: number;
  errors: number;
  agents: string[];
  models: string[];
  /** Ordered by start time; the first TRACE_MAX_SPANS when spansTruncated. */
  spans: TraceSpanDto[];
  spansTruncated: boolean;
}

export const traceIdSchema = z.string().regex(/^[0-9a-f]{32}$/);
export const spanIdSchema = z.string().regex(/^[0-9a-f]{16}$/);

const attributesSchema = z.record(z.string(), z.unknown());

/**
 * The span's attributes: those its columns restate, then the stored ones. JSONB read back is
 * untrusted shape: keep scalars, show anything else as its JSON text.
 */
function toAttributes(columns: AttributeColumns, value: unknown): Record<string, AttributeValue> {
  const parsed = attributesSchema.safeParse(value);
  const out: Record<string, AttributeValue> = {};
  for (const [key, v] of Object.entries(spanAttributes(columns, parsed.success ? parsed.data : {}))) {
    out[key] = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : JSON.stringify(v) ?? "null";
  }
  return out;
}

/**
 * A trace (one run) and its spans, tree-ready and without payloads; null when unknown. The run is
 * found through the spans' primary key (trace_id leads it): runs has no trace_id index.
 */
export async function getTrace(traceId: string): Promise<TraceDetailDto | null> {
  await authorize("traces:read");
  if (!traceIdSchema.safeParse(traceId).success) return null;
  const s = schema.spans;
  const r = schema.runs;
  const owner = db().select({ runId: s.runId }).from(s).where(eq(s.traceId, traceId)).limit(1);
  const [run] = await db()
    .select({
      runId: r.id,
      traceId: r.traceId,
      conversationId: r.conversationId,
      chain: r.chain,
      status: r.status,
      createdAt: r.createdAt,
      endedAt: r.endedAt,
      durationMs: r.durationMs,
      costUsd: r.costUsd,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      llmCalls: r.llmCalls,
      errors: r.errors,
      agents: r.agents,
      models: r.models,
    })
    .from(r)
    .where(and(inArray(r.id, owner), eq(r.traceId, traceId)))
    .limit(1);
  if (!run) return null;

  const rows: TraceSpanRow[] = await db()
    .select({
      id: s.spanId,
      parentId: s.parentSpanId,
      name: s.name,
      kind: s.kind,
      status: s.status,
      agent: s.agent,
      agentVersion: s.agentVersion,
      model: s.model,
      tier: s.tier,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      durationMs: s.durationMs,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      costUsd: s.costUsd,
      error: s.error,
      attributes: s.attributes,
    })
    .from(s)
    .where(eq(s.traceId, traceId))
    .orderBy(asc(s.startedAt), asc(s.ingestId))
    .limit(TRACE_MAX_SPANS + 1);
  const all = withDerivedSpans(rows, (await derivedSpans(db(), [run.runId])).get(run.runId) ?? []);
  const kept = all.slice(0, TRACE_MAX_SPANS);
  const origin = Math.min(...kept.map((x) => x.startedAt.getTime()), run.createdAt.getTime());
  // A running run's row counts its steps up to its last stored checkpoint only (docs/step-log.md,
  // phase B); its spans, read from the log, count them all.
  const totals = run.status === "running" && all.length <= TRACE_MAX_SPANS ? traceTotals(all) : run;

  return {
    traceId: run.traceId,
    runId: run.runId,
    conversationId: run.conversationId,
    chain: run.chain,
    status: run.status,
    startedAt: run.createdAt.toISOString(),
    endedAt: run.endedAt?.toISOString() ?? null,
    durationMs: run.durationMs,
    costUsd: totals.costUsd,
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    llmCalls: totals.llmCalls,
    errors: totals.errors,
    agents: totals.agents,
    models: totals.models,
    spans: kept.map((x) => ({
      id: x.id,
      parentId: x.parentId,
      name: x.name,
      kind: x.kind,
      status: x.status,
      agent: x.agent,
      agentVersion: x.agentVersion,
      model: x.model,
      tier: x.tier,
      startedAt: x.startedAt.toISOString(),
      startOffsetMs: x.startedAt.getTime() - origin,
      durationMs:
        x.durationMs ?? (x.endedAt ? Math.max(0, x.endedAt.getTime() - x.startedAt.getTime()) : null),
      inputTokens: x.inputTokens,
      outputTokens: x.outputTokens,
      costUsd: x.costUsd,
      error: x.error,
      attributes: toAttributes(x, x.attributes),
    })),
    spansTruncated: all.length > TRACE_MAX_SPANS,
  };
}

/** A span as the trace detail reads it, stored or derived: the DTO's fields before shaping. */
type TraceSpanRow = Omit<TraceSpanDto, "startedAt" | "startOffsetMs" | "attributes"> & {
  startedAt: Date;
  endedAt: Date | null;
  attributes: unknown;
};

/**
 * The stored spans and those derived from the run's step log that are not stored (its step and
 * LLM spans), in start order; a parent step before its children when they start in the same
 * millisecond. A stored span wins over a derived one with its id: the root's settled state and a
 * run from before step spans were derived are only right as stored.
 */
function withDerivedSpans(stored: readonly TraceSpanRow[], derivable: readonly SpanRow[]): TraceSpanRow[] {
  const derived = notStored(derivable, new Set(stored.map((x) => x.id)))
    .map(({ spanId, parentSpanId, traceId: _t, runId: _r, ingestId: _i, payload: _p, ...rest }) => ({
      id: spanId,
      parentId: parentSpanId,
      ...rest,
    }));
  if (derived.length === 0) return [...stored];
  const order = (x: TraceSpanRow) => (x.kind === "step" ? 0 : 1);
  return [...stored, ...derived].sort(
    (a, b) => a.startedAt.getTime() - b.startedAt.getTime() || order(a) - order(b),
  );
}

export interface SpanPayloadDto {
  traceId: string;
  spanId: string;
  /** The span's recorded inputs and outputs; null when it recorded none. */
  payload: unknown;
}

/**
 * One span's payload (a primary-key lookup, and the event's when the span refers to one), loaded
 * only when the span is opened; null when unknown.
 */
export async function getSpanPayload(traceId: string, spanId: string): Promise<SpanPayloadDto | null> {
  await authorize("traces:read");
  if (!traceIdSchema.safeParse(traceId).success || !spanIdSchema.safeParse(spanId).success) return null;
  const payload = await readSpanPayload(db(), traceId, spanId);
  return payload === undefined ? null : { traceId, spanId, payload: payload ?? null };
}
