import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { runEvents, spans } from "@/db/schema";
import type { RunEvent } from "@/lib/runtime";
import { jsonbValue } from "@/lib/runs/sql";
import { derivedSpanRecords } from "./derived-spans";
import { payloadEventSeq, payloadOfEvent } from "./spans";

/**
 * One span's payload as the detail view shows it: stored on the span, or derived from the event
 * the span refers to (spans.ts `storedPayload`). Undefined when the span does not exist; null
 * when it recorded no payload.
 */
export async function readSpanPayload(db: Database, traceId: string, spanId: string): Promise<unknown> {
  const [row] = await db
    .select({ runId: spans.runId, payload: spans.payload })
    .from(spans)
    .where(and(eq(spans.traceId, traceId), eq(spans.spanId, spanId)))
    .limit(1);
  if (!row) return derivedPayload(db, traceId, spanId);
  return resolvePayload(db, row.runId, jsonbValue(row.payload));
}

/** A payload in the form a commit stores it: the payload itself, or a reference to its event. */
async function resolvePayload(db: Database, runId: string, stored: unknown): Promise<unknown> {
  const seq = payloadEventSeq(stored);
  if (seq === null) return stored ?? null;
  const [event] = await db
    .select({ agent: runEvents.agent, agentVersion: runEvents.agentVersion, at: runEvents.at, data: runEvents.data })
    .from(runEvents)
    .where(and(eq(runEvents.runId, runId), eq(runEvents.seq, seq)))
    .limit(1);
  if (!event) return null;
  // The view's columns hold what `data` leaves out of the stored event (migration 0014).
  const data = jsonbValue(event.data) as Omit<RunEvent, "runId" | "seq" | "agent" | "agentVersion" | "at">;
  const full = { ...data, runId, seq, agent: event.agent, agentVersion: event.agentVersion, at: event.at.getTime() };
  return payloadOfEvent(runId, full as RunEvent);
}

/** A span that is not stored may be derived from the run's step log (spans.ts `derivedSpansOf`). */
async function derivedPayload(db: Database, traceId: string, spanId: string): Promise<unknown> {
  // Any stored span of the trace names its run; the root always is one.
  const [owner] = await db.select({ runId: spans.runId }).from(spans).where(eq(spans.traceId, traceId)).limit(1);
  if (!owner) return undefined;
  const run = (await derivedSpanRecords(db, [owner.runId])).get(owner.runId);
  const span = run?.traceId === traceId ? run.spans.find((x) => x.spanId === spanId) : undefined;
  // The record holds the payload its event gave, so the event is not read a second time.
  return span ? (span.payload ?? null) : undefined;
}
