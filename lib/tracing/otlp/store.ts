import { and, asc, between, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { runs, spans } from "@/db/schema";
import { jsonbValue, queryRows } from "@/lib/runs/sql";
import { derivedSpanRecords, derivedSpanRow, notStored } from "../derived-spans";
import { type CursorState, cursorStateSchema, emptyCursor } from "./cursor";
import type { StoredSpan } from "./span-mapper";

/** One settings row holds both the lease and the cursor, so saving the cursor checks the lease. */
export const EXPORTER_SETTINGS_KEY = "otlp_exporter";

/** The database's clock in epoch ms: processes on different machines agree on lease expiry. */
const dbNowMs = sql`(extract(epoch from clock_timestamp()) * 1000)::float8`;

const leaseRowSchema = z.object({
  owner: z.string(),
  cursor: z.unknown(),
});


/**
 * Takes (or renews) the exporter lease: free when nobody holds it or the holder's lease ran out.
 * Returns the stored cursor when this owner holds the lease, null when another process does.
 */
export async function acquireLease(db: Database, owner: string, leaseMs: number): Promise<CursorState | null> {
  const initial = JSON.stringify(emptyCursor());
  const [row] = await queryRows<{ value: unknown }>(
    db,
    sql`insert into settings (key, value, updated_at)
      values (${EXPORTER_SETTINGS_KEY}, jsonb_build_object('owner', ${owner}::text,
        'leaseUntil', ${dbNowMs} + ${leaseMs}::float8, 'cursor', ${initial}::jsonb), now())
      on conflict (key) do update
        set value = settings.value || jsonb_build_object('owner', excluded.value->'owner',
          'leaseUntil', excluded.value->'leaseUntil'), updated_at = now()
        where settings.value->>'owner' = ${owner}::text
          or coalesce((settings.value->>'leaseUntil')::float8, 0) < ${dbNowMs}
      returning value`,
  );
  if (!row) return null;
  const parsed = leaseRowSchema.safeParse(jsonbValue(row.value));
  if (!parsed.success || parsed.data.owner !== owner) return null;
  const cursor = cursorStateSchema.safeParse(parsed.data.cursor ?? {});
  // A cursor that no longer validates restarts from the beginning rather than stopping export.
  return cursor.success ? cursor.data : emptyCursor();
}

/** Stores the cursor and renews the lease; false when another process took the lease meanwhile. */
export async function saveCursor(db: Database, owner: string, leaseMs: number, cursor: CursorState): Promise<boolean> {
  const rows = await queryRows<{ ok: number }>(
    db,
    sql`update settings set value = jsonb_build_object('owner', ${owner}::text,
        'leaseUntil', ${dbNowMs} + ${leaseMs}::float8, 'cursor', ${JSON.stringify(cursor)}::jsonb),
        updated_at = now()
      where key = ${EXPORTER_SETTINGS_KEY} and value->>'owner' = ${owner}::text
      returning 1 as ok`,
  );
  return rows.length > 0;
}

/** Lets another process take over at once instead of after the lease runs out. */
export async function releaseLease(db: Database, owner: string): Promise<void> {
  await db.execute(
    sql`update settings set value = value || '{"leaseUntil": 0}'::jsonb, updated_at = now()
      where key = ${EXPORTER_SETTINGS_KEY} and value->>'owner' = ${owner}::text`,
  );
}

const columns = {
  ingestId: spans.ingestId,
  traceId: spans.traceId,
  spanId: spans.spanId,
  parentSpanId: spans.parentSpanId,
  runId: spans.runId,
  conversationId: runs.conversationId,
  name: spans.name,
  kind: spans.kind,
  status: spans.status,
  agent: spans.agent,
  agentVersion: spans.agentVersion,
  model: spans.model,
  tier: spans.tier,
  startedAt: spans.startedAt,
  endedAt: spans.endedAt,
  inputTokens: spans.inputTokens,
  outputTokens: spans.outputTokens,
  costUsd: spans.costUsd,
  error: spans.error,
  attributes: spans.attributes,
  exportedSeq: spans.exportedSeq,
};

/** Spans after the cursor, in ingest order (the `spans_ingest_idx` range scan). */
export function listSpansAfter(db: Database, position: number, limit: number): Promise<StoredSpan[]> {
  return db
    .select(columns)
    .from(spans)
    .innerJoin(runs, eq(runs.id, spans.runId))
    .where(gt(spans.ingestId, position))
    .orderBy(asc(spans.ingestId))
    .limit(limit);
}

/** Spans that showed up in a hole, and deferred root spans that have ended since. */
export async function listLateSpans(db: Database, cursor: CursorState, limit: number): Promise<StoredSpan[]> {
  const found: StoredSpan[] = [];
  if (cursor.holes.length > 0) {
    const ranges = cursor.holes.map((h) => between(spans.ingestId, h.from, h.to));
    found.push(
      ...(await db
        .select(columns)
        .from(spans)
        .innerJoin(runs, eq(runs.id, spans.runId))
        .where(or(...ranges))
        .orderBy(asc(spans.ingestId))
        .limit(limit)),
    );
  }
  const room = limit - found.length;
  if (cursor.deferred.length > 0 && room > 0) {
    found.push(
      ...(await db
        .select(columns)
        .from(spans)
        .innerJoin(runs, eq(runs.id, spans.runId))
        .where(and(inArray(spans.ingestId, cursor.deferred.map((d) => d.id)), isNotNull(spans.endedAt)))
        .orderBy(asc(spans.ingestId))
        .limit(room)),
    );
  }
  return found;
}

/** How far a root span's derived spans have gone out: its run's last event they were taken from. */
export interface ExportMark {
  traceId: string;
  spanId: string;
  seq: number;
}

/**
 * The spans of the runs whose root spans are in `rows` that are derived from their step logs and
 * not stored (their step and LLM spans: spans.ts `isStoredSpan`). They go out with the root, once
 * the run has ended, as the root does; a run from before step spans were derived exported its
 * stored ones, and every stored span goes out through the cursor. A run parked for a person and
 * then continued ends its root again (commit-runs.ts), and only the spans of events after the
 * root's mark go out then: `marks` are what to record once these are sent (`markExported`).
 */
export async function listDerivedSpans(
  db: Database,
  rows: readonly StoredSpan[],
): Promise<{ spans: StoredSpan[]; marks: ExportMark[] }> {
  const roots = rows.filter((r) => r.kind === "run" && r.endedAt !== null);
  if (roots.length === 0) return { spans: [], marks: [] };
  const [derived, stored] = await Promise.all([
    derivedSpanRecords(db, roots.map((r) => r.runId)),
    db
      .select({ spanId: spans.spanId })
      .from(spans)
      .where(inArray(spans.traceId, roots.map((r) => r.traceId))),
  ]);
  const storedIds = new Set(stored.map((s) => s.spanId));
  const out: StoredSpan[] = [];
  const marks: ExportMark[] = [];
  for (const root of roots) {
    const records = derived.get(root.runId)?.spans ?? [];
    const after = root.exportedSeq ?? 0;
    const fresh = records.filter((x) => (x.eventSeq ?? 0) > after);
    for (const x of notStored(fresh, storedIds)) {
      const { durationMs: _d, payload: _p, ...row } = derivedSpanRow(root.traceId, root.runId, x);
      out.push({ ...row, ingestId: root.ingestId, conversationId: root.conversationId });
    }
    // A loop, not Math.max(...): a long run has more spans than a call takes arguments.
    const seq = fresh.reduce((max, x) => Math.max(max, x.eventSeq ?? 0), after);
    if (seq > after) marks.push({ traceId: root.traceId, spanId: root.spanId, seq });
  }
  return { spans: out, marks };
}

/** Records on each root span how far its derived spans have gone out. */
export async function markExported(db: Database, marks: readonly ExportMark[]): Promise<void> {
  if (marks.length === 0) return;
  await db.execute(
    sql`update spans set exported_seq = greatest(coalesce(spans.exported_seq, 0), x.seq)
      from jsonb_to_recordset(${JSON.stringify(marks)}::jsonb) as x("traceId" text, "spanId" text, seq int)
      where spans.trace_id = x."traceId" and spans.span_id = x."spanId"`,
  );
}
