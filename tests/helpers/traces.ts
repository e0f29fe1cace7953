import { eq } from "drizzle-orm";
import * as schema from "@/db/schema";
import { derivedSpans } from "@/lib/tracing/derived-spans";
import { testDb } from "./db";

/**
 * A run's trace as the readers see it: its stored spans, and those its step log yields that are
 * not stored (its step and LLM spans), as `lib/dal/traces.ts` and the exporter merge them.
 */
export async function traceSpansOf(runId: string) {
  const stored = await testDb().select().from(schema.spans).where(eq(schema.spans.runId, runId));
  const ids = new Set(stored.map((s) => s.spanId));
  const derived = (await derivedSpans(testDb(), [runId])).get(runId) ?? [];
  return { stored, all: [...stored, ...derived.filter((s) => !ids.has(s.spanId))] };
}
