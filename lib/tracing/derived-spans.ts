import { asc, inArray, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { runs, runSteps, type spans } from "@/db/schema";
import type { RunEvent, RunState } from "@/lib/runtime";
import { eventsOfStepRow } from "@/lib/runs/commit-rows";
import { jsonbValue } from "@/lib/runs/sql";
import { derivedSpansOf, type SpanRecord, storedAttributes, storedPayload } from "./spans";

/** A span row as the `spans` table returns it. */
export type SpanRow = typeof spans.$inferSelect;

/**
 * The spans of these runs that their step logs yield (spans.ts `derivedSpansOf`) as span rows, in
 * the form a commit stores them: two primary-key reads, whatever the number of runs. Most of them
 * are stored as well (all but the step and LLM spans); a run from before step spans were derived
 * has those stored too, and one event per step row (migration 0014), so its derived spans may
 * hang elsewhere. Callers must therefore prefer a stored span over a derived one with its id.
 */
export async function derivedSpans(
  db: Database,
  runIds: readonly string[],
): Promise<Map<string, SpanRow[]>> {
  const out = new Map<string, SpanRow[]>();
  for (const [runId, { traceId, spans }] of await derivedSpanRecords(db, runIds))
    out.set(runId, spans.map((x) => derivedSpanRow(traceId, runId, x)));
  return out;
}

/**
 * The same spans as the records `spansForCommit` makes, with their trace id: a derived span's
 * payload is here in full, where its row holds a reference to its event.
 */
export async function derivedSpanRecords(
  db: Database,
  runIds: readonly string[],
): Promise<Map<string, { traceId: string; spans: SpanRecord[] }>> {
  const out = new Map<string, { traceId: string; spans: SpanRecord[] }>();
  if (runIds.length === 0) return out;
  const [runRows, stepRows] = await Promise.all([
    db
      .select({
        id: runs.id,
        traceId: runs.traceId,
        threads: sql<unknown>`${runs.checkpoint} -> 'threads'`,
      })
      .from(runs)
      .where(inArray(runs.id, [...runIds])),
    db
      .select({ runId: runSteps.runId, events: runSteps.events })
      .from(runSteps)
      .where(inArray(runSteps.runId, [...runIds]))
      .orderBy(asc(runSteps.runId), asc(runSteps.seq)),
  ]);
  const commits = new Map<string, RunEvent[][]>();
  for (const row of stepRows) {
    const list = commits.get(row.runId) ?? [];
    list.push(eventsOfStepRow(row.runId, row.events));
    commits.set(row.runId, list);
  }
  for (const run of runRows) {
    const threads = jsonbValue(run.threads);
    const spans = derivedSpansOf(
      run.id,
      commits.get(run.id) ?? [],
      Array.isArray(threads) ? (threads as RunState["threads"]) : undefined,
    );
    out.set(run.id, { traceId: run.traceId, spans });
  }
  return out;
}

/**
 * The derived spans no stored span has the id of. A stored span wins: runs from before a kind was
 * derived stored it, perhaps hanging elsewhere (see `derivedSpans`), and the root and resume
 * spans are stored only.
 */
export function notStored<T extends { spanId: string }>(
  derived: readonly T[],
  storedIds: ReadonlySet<string>,
): T[] {
  return derived.filter((x) => !storedIds.has(x.spanId));
}

/** A derived span as the row its commit would have stored; it has no ingest id (0). */
export function derivedSpanRow(traceId: string, runId: string, x: SpanRecord): SpanRow {
  return {
    traceId,
    spanId: x.spanId,
    parentSpanId: x.parentSpanId,
    runId,
    ingestId: 0,
    name: x.name,
    kind: x.kind,
    status: x.status,
    agent: x.agent,
    agentVersion: x.agentVersion,
    model: x.model,
    tier: x.tier,
    startedAt: new Date(x.startedAt),
    endedAt: x.endedAt === null ? null : new Date(x.endedAt),
    durationMs: x.endedAt === null ? null : x.endedAt - x.startedAt,
    inputTokens: x.inputTokens,
    outputTokens: x.outputTokens,
    costUsd: x.costUsd,
    error: x.error,
    attributes: storedAttributes(x),
    payload: storedPayload(x),
    exportedSeq: null,
  };
}

