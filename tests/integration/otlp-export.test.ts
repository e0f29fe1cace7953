import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { startConversation } from "@/lib/runs/conversations";
import { queryRows } from "@/lib/runs/sql";
import { startTraceExporter, tracesUrl } from "@/lib/tracing/otlp";
import { EXPORTER_SETTINGS_KEY } from "@/lib/tracing/otlp/store";
import { rootSpanId } from "@/lib/tracing/spans";
import { setupTestDatabase, testDb } from "../helpers/db";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../helpers/otlp-receiver";
import { traceSpansOf } from "../helpers/traces";
import { instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { converse, inboxParts, REFUND_MESSAGE } from "../helpers/inbox";
import { createRunLoop } from "@/lib/runs/runtime";

setupTestDatabase();

const SERVICE = "switchyard-otlp-test";
const fast = { intervalMs: 40, minBackoffMs: 20, maxBackoffMs: 200, leaseMs: 5_000 };

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // The exporter reads its endpoint and service name from the environment, as in production.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
  process.env.OTEL_SERVICE_NAME = SERVICE;
  resetEnvForTests();
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.OTEL_SERVICE_NAME;
  resetEnvForTests();
  await receiver.close();
});

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A run's trace as exported: its stored spans and its step spans, derived from its step log. */
async function traceSpans(runId: string) {
  return (await traceSpansOf(runId)).all;
}
const received = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);

async function exporterState() {
  const [row] = await testDb().select().from(schema.settings).where(eq(schema.settings.key, EXPORTER_SETTINGS_KEY));
  return row?.value as { owner: string; leaseUntil: number; cursor: { position: number; deferred: { id: number }[] } } | undefined;
}

/** Runs one conversation to its end and returns its run with its trace's spans. */
async function finishedConversation(message: string) {
  const parts = instantParts();
  const worker = testWorker(parts);
  await worker.start();
  try {
    const { id, traceId } = await startConversation(testDb(), { message, apiKeyId: null }, parts);
    await settledConversation(id);
    const [run] = await runsOf(id);
    return { conversationId: id, traceId, run: run!, spans: await traceSpans(run!.id) };
  } finally {
    await worker.stop();
  }
}

describe("OTLP export of stored traces", () => {
  it("builds the signal URL from the base endpoint", () => {
    expect(tracesUrl("http://collector:4318")).toBe("http://collector:4318/v1/traces");
    expect(tracesUrl("http://collector:4318/")).toBe("http://collector:4318/v1/traces");
    expect(tracesUrl("https://otel.example.com/prefix")).toBe("https://otel.example.com/prefix/v1/traces");
  });

  it("sends a conversation's whole trace once, with its ids, parents and GenAI attributes, from one of two exporters", async () => {
    const message = "my sync failed with an error";
    const { conversationId, traceId, run, spans } = await finishedConversation(message);
    expect(spans.map((s) => s.kind)).toEqual(expect.arrayContaining(["run", "step", "llm", "tool"]));

    const stopA = startTraceExporter(testDb(), fast);
    const stopB = startTraceExporter(testDb(), fast);
    try {
      await until("the whole trace", () => received(traceId).length >= spans.length);
      // Give the second exporter time to (wrongly) send a copy.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await Promise.all([stopA(), stopB()]);
    }

    const got = received(traceId);
    expect(receiver.spans.every((s) => s.traceId === run.traceId)).toBe(true);
    expect(got.map((s) => s.spanId).sort()).toEqual(spans.map((s) => s.spanId).sort());
    expect(new Set(got.map((s) => s.spanId)).size).toBe(got.length);

    const byId = new Map<string, ReceivedSpan>(got.map((s) => [s.spanId, s]));
    for (const stored of spans) {
      const sent = byId.get(stored.spanId)!;
      expect(sent.parentSpanId).toBe(stored.parentSpanId);
      expect(sent.startMs).toBeCloseTo(stored.startedAt.getTime(), 0);
      expect(sent.endMs).toBeCloseTo((stored.endedAt ?? stored.startedAt).getTime(), 0);
      expect(sent.resource["service.name"]).toBe(SERVICE);
      expect(sent.attributes["gen_ai.conversation.id"]).toBe(conversationId);
      expect(sent.attributes["switchyard.span.kind"]).toBe(stored.kind);
    }
    const root = byId.get(rootSpanId(run.id))!;
    expect(root.parentSpanId).toBeNull();
    expect(root.statusCode).toBe(1); // OK: the run ended well
    expect(root.endMs).toBeGreaterThanOrEqual(root.startMs);

    const llm = got.filter((s) => s.attributes["switchyard.span.kind"] === "llm");
    const storedLlm = spans.filter((s) => s.kind === "llm");
    expect(llm).toHaveLength(storedLlm.length);
    for (const s of llm) {
      const stored = spans.find((x) => x.spanId === s.spanId)!;
      expect(s.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(s.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "switchyard.simulator",
        "gen_ai.request.model": stored.model,
        "gen_ai.usage.input_tokens": stored.inputTokens,
        "gen_ai.usage.output_tokens": stored.outputTokens,
        "gen_ai.agent.name": stored.agent,
      });
    }
    const tool = got.find((s) => s.attributes["switchyard.span.kind"] === "tool")!;
    expect(tool.attributes["gen_ai.operation.name"]).toBe("execute_tool");
    expect(typeof tool.attributes["gen_ai.tool.name"]).toBe("string");
    // Payloads (the customer's words, tool inputs and outputs) never leave the database.
    expect(JSON.stringify(got)).not.toContain(message);
  });

  it("keeps its cursor across a restart, holds back an open root span until it ends, and retries failures", async () => {
    const before = receiver.spans.length;
    const stop = startTraceExporter(testDb(), fast);
    let stopped = false;
    try {
      // Restarted: nothing already sent is sent again.
      const firstTick = await exporterState();
      await until("a few polls", async () => (await exporterState())?.leaseUntil !== firstTick?.leaseUntil);
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.spans.length).toBe(before);

      // A run that has not been worked yet: its root span exists without an end.
      const parts = instantParts();
      const { id, traceId } = await startConversation(testDb(), { message: "please refund $20 on order ORD-1234", apiKeyId: null }, parts);
      const [run] = await runsOf(id);
      const [root] = await testDb().select().from(schema.spans).where(eq(schema.spans.spanId, rootSpanId(run!.id)));
      expect(root?.endedAt).toBeNull();
      await until("the cursor to pass the open root span", async () => ((await exporterState())?.cursor.position ?? 0) >= root!.ingestId);
      expect((await exporterState())?.cursor.deferred.map((d) => d.id)).toContain(root!.ingestId);
      expect(received(traceId).map((s) => s.spanId)).not.toContain(root!.spanId);

      // The collector fails for a while; the exporter backs off and delivers later.
      receiver.failNext(3, 503);
      const worker = testWorker(parts);
      await worker.start();
      try {
        await settledConversation(id);
      } finally {
        await worker.stop();
      }
      const spans = await traceSpans(run!.id);
      await until("the finished trace", () => received(traceId).length >= spans.length);
      await new Promise((r) => setTimeout(r, 200));
      const got = received(traceId);
      expect(got.map((s) => s.spanId).sort()).toEqual(spans.map((s) => s.spanId).sort());
      const sentRoot = got.find((s) => s.spanId === root!.spanId)!;
      expect(sentRoot.endMs).toBeGreaterThan(sentRoot.startMs);
      expect(receiver.requests).toBeGreaterThan(3);
      await stop();
      stopped = true;
      expect(receiver.spans.length).toBe(before + spans.length);
    } finally {
      if (!stopped) await stop();
    }
  });

  it("exports a span that commits late into an id the cursor already passed", async () => {
    const { run } = await finishedConversation("my sync failed with an error");
    // Reserve two ids the way a slow transaction would (drawn now, committed later).
    const reserved = await queryRows<{ id: number }>(
      testDb(),
      sql`select nextval(pg_get_serial_sequence('spans', 'ingest_id'))::int as id from generate_series(1, 2)`,
    );
    const later = await finishedConversation("please refund $20 on order ORD-1234");
    const lastId = Math.max(...later.spans.map((s) => s.ingestId));
    const stop = startTraceExporter(testDb(), fast);
    try {
      await until("the cursor to pass the reserved ids", async () => ((await exporterState())?.cursor.position ?? 0) >= lastId);
      // The slow transaction commits now, below the cursor.
      const lateSpanId = "00000000000000aa";
      await testDb().insert(schema.spans).values({
        traceId: run.traceId,
        spanId: lateSpanId,
        parentSpanId: rootSpanId(run.id),
        runId: run.id,
        ingestId: reserved[0]!.id,
        name: "late step",
        kind: "step",
        status: "ok",
        startedAt: new Date(),
        endedAt: new Date(),
      });
      await until("the late span", () => receiver.spans.some((s) => s.spanId === lateSpanId));
      expect(receiver.spans.filter((s) => s.spanId === lateSpanId)).toHaveLength(1);
      expect(received(later.run.traceId)).toHaveLength(later.spans.length);
    } finally {
      await stop();
    }
  });

  it("exports a run parked for a person once it has ended, with every span of its steps before and after the decision", async () => {
    const parts = inboxParts();
    const { runId, state } = await converse(parts, REFUND_MESSAGE);
    expect(state.status).toBe("waiting_for_human");
    const [run] = await testDb().select().from(schema.runs).where(eq(schema.runs.id, runId));
    const traceId = run!.traceId;
    const stop = startTraceExporter(testDb(), fast);
    try {
      // Parked: its root span has an end, so what the run did so far goes out.
      const parked = await traceSpans(runId);
      await until("the parked run's trace", () => received(traceId).length >= parked.length);

      const decision = { interruptionId: state.interruptions[0]!.id, approved: true };
      await createRunLoop(testDb(), parts).decide(runId, decision);
      expect((await createRunLoop(testDb(), parts).run(runId)).status).toBe("completed");
      const spans = await traceSpans(runId);
      expect(spans.length).toBeGreaterThan(parked.length);
      await until("the finished trace", () => new Set(received(traceId).map((s) => s.spanId)).size >= spans.length, 5_000);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await stop();
    }
    const got = received(traceId);
    const spans = await traceSpans(runId);
    expect([...new Set(got.map((s) => s.spanId))].sort()).toEqual(spans.map((s) => s.spanId).sort());
    // Every span once, but the root: it went out when the run parked and again when it ended.
    const root = rootSpanId(runId);
    expect(got.filter((s) => s.spanId !== root).length).toBe(spans.length - 1);
    const roots = got.filter((s) => s.spanId === root);
    expect(roots).toHaveLength(2);
    const ended = spans.find((s) => s.spanId === root)!.endedAt!.getTime();
    expect(roots[1]!.endMs).toBeCloseTo(ended, 0);
    expect(roots[0]!.endMs).toBeLessThan(roots[1]!.endMs);
    // The LLM calls after the decision are among them.
    const llm = spans.filter((s) => s.kind === "llm" && s.startedAt.getTime() > roots[0]!.endMs);
    expect(llm.length).toBeGreaterThan(0);
  });
});
