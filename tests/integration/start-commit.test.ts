import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { newId } from "@/lib/ids";
import { pipeline, RunLoop, supervisor } from "@/lib/runtime";
import { handoffTo, ScriptedModel } from "@/lib/runtime/testing";
import { PgRunStore } from "@/lib/runs/pg-run-store";
import { PgToolLedger } from "@/lib/runs/pg-tool-ledger";
import { rootSpanId } from "@/lib/tracing/spans";
import { derivedSpans } from "@/lib/tracing/derived-spans";
import { setupTestDatabase, testDb } from "../helpers/db";
import { billing, makeTools, router, technical, writer } from "../unit/runtime/fixtures";

setupTestDatabase();

const solo = pipeline({ name: "solo", stages: [writer], limits: { budgetMs: 10_000 } });
// No handoff allowed: the router's first one escalates the run in its first step.
const desk = supervisor({ name: "desk", router, specialists: [billing, technical], limits: { maxHandoffs: 0 } });
const openDesk = supervisor({ name: "open-desk", router, specialists: [billing, technical], limits: { maxHandoffs: 3 } });

async function started(chain: string, script: ConstructorParameters<typeof ScriptedModel>[0]) {
  const conversationId = newId("conv");
  await testDb().insert(schema.conversations).values({ id: conversationId, status: "running", chain });
  const traceId = newId("t").replace(/[^0-9a-f]/g, "").padEnd(32, "0").slice(0, 32);
  const store = new PgRunStore(testDb(), { newRun: { conversationId, traceId } });
  const commits = vi.spyOn(store, "commitStep");
  const loop = new RunLoop({
    chains: [solo, desk, openDesk],
    model: new ScriptedModel(script),
    store,
    ledger: new PgToolLedger(testDb()),
    tools: makeTools({ lookups: [], refunds: [] }),
    ids: { newId },
  });
  const state = await loop.start(chain, "hello");
  const [run] = await testDb().select().from(schema.runs).where(eq(schema.runs.id, state.runId));
  const spans = await testDb().select().from(schema.spans).where(eq(schema.spans.traceId, traceId));
  const [conversation] = await testDb()
    .select()
    .from(schema.conversations)
    .where(eq(schema.conversations.id, conversationId));
  return { state, commits: commits.mock.calls.length, run: run!, spans, conversation: conversation! };
}

describe("a run started in-process (RunLoop.start on PostgreSQL)", () => {
  it("writes its creation with its first step, which may settle it: one commit in all", async () => {
    const { state, commits, run, spans, conversation } = await started("solo", {
      writer: [{ output: { reply: "Done." } }],
    });
    expect(state.status).toBe("completed");
    expect(commits).toBe(1);
    // The row holds what a creation and a settling step each write.
    expect(run).toMatchObject({ status: "completed", seq: state.seq, llmCalls: 1, agents: ["writer"], leaseOwner: null });
    expect(run.endedAt).toBeInstanceOf(Date);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    // The root span went in ended (the statement's update of it cannot see its own insert).
    const root = spans.find((s) => s.spanId === rootSpanId(run.id))!;
    expect(root).toMatchObject({ status: "ok", attributes: { "switchyard.outcome": "completed" } });
    expect(root.endedAt?.getTime()).toBe(run.endedAt!.getTime());
    // The step and LLM spans are not stored: they are derived from the commit's step row.
    expect(spans.map((s) => s.kind).sort()).toEqual(["run"]);
    const derived = (await derivedSpans(testDb(), [run.id])).get(run.id)!;
    const steps = derived.filter((s) => s.kind === "step");
    expect(steps.map((s) => [s.kind, s.parentSpanId])).toEqual([["step", rootSpanId(run.id)]]);
    expect(derived.find((s) => s.kind === "llm")?.parentSpanId).toBe(steps[0]!.spanId);
    const calls = await testDb().select().from(schema.llmCalls).where(eq(schema.llmCalls.runId, run.id));
    expect(calls.map((c) => c.spanId)).toEqual([derived.find((s) => s.kind === "llm")!.spanId]);
    const replies = await testDb().select().from(schema.messages).where(eq(schema.messages.runId, run.id));
    expect(replies.map((m) => m.content)).toEqual(["Done."]);
    expect(conversation.status).not.toBe("running");
  });

  it("opens the inbox entry of a run that escalates in its first step, in the same commit", async () => {
    const { state, commits, run } = await started("desk", {
      router: [{ toolCalls: [handoffTo("billing", "yours")] }],
    });
    expect(state.status).toBe("escalated");
    expect(commits).toBe(1);
    const entries = await testDb().select().from(schema.escalations).where(eq(schema.escalations.runId, run.id));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ runSeq: state.seq, reason: state.escalation!.reason });
  });

  it("commits once per step when it runs on", async () => {
    const { state, commits, run } = await started("open-desk", {
      router: [{ toolCalls: [handoffTo("billing", "yours")] }],
      billing: [{ output: { reply: "Refunded." } }],
    });
    expect(state.status).toBe("completed");
    expect(state.step).toBe(2);
    expect(commits).toBe(2);
    expect(run).toMatchObject({ seq: state.seq, llmCalls: 2, status: "completed" });
    expect(run.agents.sort()).toEqual(["billing", "router"]);
  });
});
