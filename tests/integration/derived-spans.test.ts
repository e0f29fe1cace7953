import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { startConversation } from "@/lib/runs/conversations";
import { createRunLoop } from "@/lib/runs/runtime";
import { derivedSpans } from "@/lib/tracing/derived-spans";
import { listDerivedSpans } from "@/lib/tracing/otlp/store";
import { readSpanPayload } from "@/lib/tracing/payload";
import { setupTestDatabase, testDb } from "../helpers/db";
import { instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { traceSpansOf } from "../helpers/traces";

setupTestDatabase();

/** Kinds a commit stores that its events cannot give back: the root's settled state, a takeover. */
const UNDERIVABLE = ["run", "resume"];

async function settledRun(message: string, crashFirst = false) {
  const parts = instantParts();
  const { id, traceId } = await startConversation(testDb(), { message, apiKeyId: null }, parts);
  const [run] = await runsOf(id);
  if (crashFirst) {
    // A worker took the run, committed one step and died; its lease runs out shortly.
    await testDb()
      .update(schema.runs)
      .set({ leaseOwner: "dead", leaseExpiresAt: sql`now() + interval '200 milliseconds'`, claims: 1 })
      .where(eq(schema.runs.id, run!.id));
    await createRunLoop(testDb(), parts, { owner: "dead", leaseMs: 200 }).step(run!.id);
  }
  const worker = testWorker(parts);
  await worker.start();
  try {
    await settledConversation(id);
  } finally {
    await worker.stop();
  }
  return { runId: run!.id, traceId };
}

describe("spans derived from the step log", () => {
  it.each([
    ["a handoff and a tool call", "my sync failed with an error", false],
    ["a crash and a takeover", "please refund $20 on order ORD-1234", true],
  ])("give back every stored span of a run with %s, field for field, and its LLM calls", async (_, message, crashFirst) => {
    const { runId, traceId } = await settledRun(message, crashFirst);
    const { stored } = await traceSpansOf(runId);
    const derived = new Map(((await derivedSpans(testDb(), [runId])).get(runId) ?? []).map((s) => [s.spanId, s]));
    const derivable = stored.filter((s) => !UNDERIVABLE.includes(s.kind));
    expect(derivable.map((s) => s.kind)).toEqual(expect.arrayContaining(["handoff", "tool"]));
    for (const { ingestId: _stored, ...span } of derivable) {
      const { ingestId: _derived, ...copy } = derived.get(span.spanId) ?? { ingestId: 0 };
      expect(copy).toEqual(span);
    }
    // An LLM call is not stored as a span: its row for the aggregates says what its span says.
    const calls = await testDb().select().from(schema.llmCalls).where(eq(schema.llmCalls.runId, runId));
    const llm = [...derived.values()].filter((s) => s.kind === "llm");
    expect(calls.map((c) => c.spanId).sort()).toEqual(llm.map((s) => s.spanId).sort());
    expect(llm.length).toBeGreaterThan(0);
    for (const call of calls) {
      const span = derived.get(call.spanId)!;
      expect(call).toEqual({
        traceId,
        spanId: span.spanId,
        runId,
        startedAt: span.startedAt,
        durationMs: span.durationMs,
        agent: span.agent,
        agentVersion: span.agentVersion,
        model: span.model,
        tier: span.tier,
        status: span.status,
        inputTokens: span.inputTokens,
        outputTokens: span.outputTokens,
        cachedInputTokens: null,
        costUsd: span.costUsd,
      });
    }
  });

  it("serve a run whose tool and handoff spans are not stored either: trace, payloads and export", async () => {
    const { runId, traceId } = await settledRun("my sync failed with an error");
    const before = await traceSpansOf(runId);
    const dropped = before.stored.filter((s) => ["tool", "handoff"].includes(s.kind));
    expect(dropped.map((s) => s.kind)).toEqual(expect.arrayContaining(["tool", "handoff"]));
    const unstored = [...dropped, ...before.all.filter((s) => s.kind === "llm" || s.kind === "step")];
    const payloads = new Map<string, unknown>();
    for (const span of unstored) payloads.set(span.spanId, await readSpanPayload(testDb(), traceId, span.spanId));
    // An LLM span's payload is its call's input and output, from the llm_call event.
    const llm = before.all.find((s) => s.kind === "llm")!;
    expect(payloads.get(llm.spanId)).toMatchObject({ input: { last: expect.any(String) as unknown } });
    // As a commit that stored only the root, guardrail and takeover spans would leave the run.
    await testDb()
      .delete(schema.spans)
      .where(and(eq(schema.spans.traceId, traceId), inArray(schema.spans.spanId, dropped.map((s) => s.spanId))));

    const after = await traceSpansOf(runId);
    const ids = (spans: { spanId: string }[]) => spans.map((s) => s.spanId).sort();
    expect(ids(after.all)).toEqual(ids(before.all));
    for (const span of unstored) {
      expect(await readSpanPayload(testDb(), traceId, span.spanId)).toEqual(payloads.get(span.spanId));
    }
    const [root] = await testDb()
      .select({
        ingestId: schema.spans.ingestId,
        traceId: schema.spans.traceId,
        spanId: schema.spans.spanId,
        parentSpanId: schema.spans.parentSpanId,
        runId: schema.spans.runId,
        conversationId: sql<string>`''`,
        name: schema.spans.name,
        kind: schema.spans.kind,
        status: schema.spans.status,
        agent: schema.spans.agent,
        agentVersion: schema.spans.agentVersion,
        model: schema.spans.model,
        tier: schema.spans.tier,
        startedAt: schema.spans.startedAt,
        endedAt: schema.spans.endedAt,
        inputTokens: schema.spans.inputTokens,
        outputTokens: schema.spans.outputTokens,
        costUsd: schema.spans.costUsd,
        error: schema.spans.error,
        attributes: schema.spans.attributes,
      })
      .from(schema.spans)
      .where(and(eq(schema.spans.traceId, traceId), eq(schema.spans.kind, "run")));
    const exported = await listDerivedSpans(testDb(), [root!]);
    expect(ids(exported.spans)).toEqual(ids(unstored));
  });
});
