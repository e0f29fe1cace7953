import { eq } from "drizzle-orm";
import * as schema from "@/db/schema";
import { derivedSpans, notStored } from "@/lib/tracing/derived-spans";
import { testDb } from "./db";

/**
 * A run's trace as the readers see it: its stored spans, and those its step log yields that are
 * not stored (its step and LLM spans), as `lib/dal/traces.ts` and the exporter merge them.
 */
export async function traceSpansOf(runId: string) {
  const stored = await testDb().select().from(schema.spans).where(eq(schema.spans.runId, runId));
  const derived = (await derivedSpans(testDb(), [runId])).get(runId) ?? [];
  return { stored, all: [...stored, ...notStored(derived, new Set(stored.map((s) => s.spanId)))] };
}
