import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { startConversation } from "@/lib/runs/conversations";
import { PgRunStore } from "@/lib/runs/pg-run-store";
import { createRunLoop } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { readSpanPayload } from "@/lib/tracing/payload";
import { rootSpanId } from "@/lib/tracing/spans";
import type { RunEvent } from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { traceSpansOf } from "../helpers/traces";
import { instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";

setupTestDatabase();

/** The run's trace as readers see it: its stored spans and its step spans, derived on read. */
async function traceOf(runId: string) {
  const { stored, all } = await traceSpansOf(runId);
  // A commit stores every span but its step's.
  expect(stored.filter((s) => s.kind === "step")).toEqual([]);
  return all;
}

function orphans(spans: { spanId: string; parentSpanId: string | null }[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.filter((s) => s.parentSpanId !== null && !ids.has(s.parentSpanId));
}

describe("traces written with the run", () => {
  it("gives a finished turn one trace whose spans all hang from its root, with totals on the run", async () => {
    const parts = instantParts();
    const worker = testWorker(parts);
    await worker.start();
    try {
      const { id, traceId } = await startConversation(
        testDb(),
        { message: "my sync failed with an error", apiKeyId: null },
        parts,
      );
      await settledConversation(id);
      const [run] = await runsOf(id);
      const spans = await traceOf(run!.id);
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
      expect(orphans(spans)).toEqual([]);
      const root = spans.find((s) => s.spanId === rootSpanId(run!.id));
      expect(root).toMatchObject({ kind: "run", parentSpanId: null, status: "ok" });
      expect(root?.endedAt).toBeInstanceOf(Date);
      expect(spans.map((s) => s.kind)).toEqual(
        expect.arrayContaining(["run", "step", "llm", "handoff", "tool"]),
      );
      const llm = spans.filter((s) => s.kind === "llm");
      // Each LLM span carries what the call saw and said, for the detail view: derived from its
      // llm_call event, which the span row refers to instead of storing it a second time.
      const payloads: unknown[] = [];
      for (const span of llm) {
        expect(span.payload).toMatchObject({ $event: expect.any(Number) as unknown });
        const payload = (await readSpanPayload(testDb(), traceId, span.spanId)) as {
          input?: { messages?: unknown; last?: unknown };
          output?: unknown;
        };
        expect(typeof payload.input?.messages).toBe("number");
        expect(typeof payload.input?.last).toBe("string");
        expect(payload.output).toBeDefined();
        payloads.push(payload);
      }
      expect(JSON.stringify(payloads)).toContain("kb-204");
      expect(await readSpanPayload(testDb(), traceId, rootSpanId(run!.id))).toEqual({
        input: "my sync failed with an error",
      });
      expect(run).toMatchObject({
        llmCalls: llm.length,
        inputTokens: llm.reduce((n, s) => n + (s.inputTokens ?? 0), 0),
        outputTokens: llm.reduce((n, s) => n + (s.outputTokens ?? 0), 0),
      });
      expect(run!.costUsd).toBeCloseTo(
        llm.reduce((n, s) => n + (s.costUsd ?? 0), 0),
        10,
      );
      expect(run!.agents).toEqual(expect.arrayContaining(["technical", "triage"]));
      expect(run!.durationMs).toBeGreaterThanOrEqual(0);
    } finally {
      await worker.stop();
    }
  });

  it("shows a crash-and-resume in the trace, with no orphan span", async () => {
    const parts = instantParts();
    const { id } = await startConversation(
      testDb(),
      { message: "please refund $20 on order ORD-1234", apiKeyId: null },
      parts,
    );
    const [run] = await runsOf(id);
    // A worker took the run, committed one step and died; its lease runs out shortly.
    await testDb()
      .update(schema.runs)
      .set({
        leaseOwner: "dead",
        leaseExpiresAt: sql`now() + interval '200 milliseconds'`,
        claims: 1,
      })
      .where(eq(schema.runs.id, run!.id));
    await createRunLoop(testDb(), parts, { owner: "dead", leaseMs: 200 }).step(run!.id);
    const worker = testWorker(parts);
    await worker.start();
    try {
      await settledConversation(id);
    } finally {
      await worker.stop();
    }
    const spans = await traceOf(run!.id);
    expect(orphans(spans)).toEqual([]);
    const resumes = spans.filter((s) => s.kind === "resume");
    expect(resumes).toHaveLength(1);
    expect(resumes[0]?.attributes).toMatchObject({ "switchyard.claim": 2 });
    const [counts] = await queryRows<{ spans: number; distinct_ids: number }>(
      testDb(),
      sql`
      select count(*)::int as spans, count(distinct span_id)::int as distinct_ids from spans where run_id = ${run!.id}`,
    );
    expect(counts?.spans).toBe(counts?.distinct_ids);
  });
});

describe("the run row's per-step update", () => {
  it("stays heap-only (no index entries) when a step adds no new agent or model", async () => {
    const parts = instantParts();
    const { id } = await startConversation(
      testDb(),
      { message: "my sync failed with an error", apiKeyId: null },
      parts,
    );
    const [run] = await runsOf(id);
    const store = new PgRunStore(testDb());
    const loaded = await store.loadCheckpoint(run!.id);
    const [before] = await runsOf(id);
    const hot = await testDb().transaction(async (tx) => {
      const hotUpdates = async () => {
        const [row] = await queryRows<{ hot: number }>(
          tx,
          sql`select pg_stat_get_xact_tuples_hot_updated('runs'::regclass)::int as hot`,
        );
        return row!.hot;
      };
      const start = await hotUpdates();
      // A commit that names no new agent or model: the indexed columns keep their values.
      const seq = loaded!.seq + 1;
      const event: RunEvent = {
        runId: run!.id,
        seq,
        at: Date.now(),
        agent: before!.agents[0]!,
        agentVersion: 1,
        type: "step_started",
        step: loaded!.state.step + 1,
        threads: ["t1"],
      };
      await new PgRunStore(tx).commitStep(run!.id, loaded!.seq, [event], { ...loaded!.state, seq });
      return (await hotUpdates()) - start;
    });
    expect(hot).toBe(1);
    const [after] = await runsOf(id);
    expect(after!.agents).toEqual(before!.agents);
    expect(after!.models).toEqual(before!.models);
  });

  it("leaves free space on the runs table's pages for those updates", async () => {
    const [row] = await queryRows<{ options: string[] | null }>(
      testDb(),
      sql`select reloptions as options from pg_class where relname = 'runs'`,
    );
    expect(row?.options).toContain("fillfactor=60");
  });
});
