import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { newId } from "@/lib/ids";
import { ConcurrencyConflict, type RunEvent, RunLoop, type RunState, supervisor } from "@/lib/runtime";
import { handoffTo, ScriptedModel, type ScriptedResponse } from "@/lib/runtime/testing";
import { PgRunStore } from "@/lib/runs/pg-run-store";
import { PgToolLedger } from "@/lib/runs/pg-tool-ledger";
import { queryRows } from "@/lib/runs/sql";
import { setupTestDatabase, testDb } from "../helpers/db";
import { billing, type Effects, makeTools, router, technical } from "../unit/runtime/fixtures";

setupTestDatabase();

const desk = supervisor({ name: "desk", router, specialists: [billing, technical] });
const lookup = (orderId: string): ScriptedResponse => ({ toolCalls: [{ name: "lookup_order", args: { orderId } }] });

/** A process: its own store and loop over the shared database (and the shared tools' effects). */
function processOf(conversationId: string, traceId: string, script: Record<string, ScriptedResponse[]>, effects: Effects) {
  const store = new PgRunStore(testDb(), { newRun: { conversationId, traceId } });
  const loop = new RunLoop({
    chains: [desk],
    model: new ScriptedModel(script),
    store,
    ledger: new PgToolLedger(testDb()),
    tools: makeTools(effects),
    ids: { newId },
  });
  return { store, loop };
}

async function runRow(runId: string) {
  const [row] = await testDb().select().from(schema.runs).where(eq(schema.runs.id, runId));
  return row!;
}

async function conversation() {
  const conversationId = newId("conv");
  await testDb().insert(schema.conversations).values({ id: conversationId, status: "running", chain: "desk" });
  const traceId = newId("t").replace(/[^0-9a-f]/g, "").padEnd(32, "0").slice(0, 32);
  return { conversationId, traceId };
}

/** What the run's log adds up to: the totals the run row must hold once it settles. */
async function logTotals(runId: string) {
  const [row] = await queryRows<{ calls: number; input: number; output: number }>(
    testDb(),
    sql`select count(*)::int as calls, coalesce(sum((data->'usage'->>'inputTokens')::int), 0)::int as input,
          coalesce(sum((data->'usage'->>'outputTokens')::int), 0)::int as output
        from run_events where run_id = ${runId} and type = 'llm_call'`,
  );
  return row!;
}

/** A run whose first process died in its model call after the given technical turns. */
async function crashedMidRun(technical: ScriptedResponse[]) {
  const { conversationId, traceId } = await conversation();
  const effects: Effects = { lookups: [], refunds: [] };
  const first = processOf(conversationId, traceId, {
    router: [{ toolCalls: [handoffTo("technical", "app crashes")] }],
    technical: [...technical, { crash: "process killed" }],
  }, effects);
  await expect(first.loop.start("desk", "my orders")).rejects.toThrow("process killed");
  const [started] = await testDb().select({ id: schema.runs.id }).from(schema.runs).where(eq(schema.runs.conversationId, conversationId));
  return { conversationId, traceId, effects, first, runId: started!.id };
}

describe("checkpoints left to the log (docs/step-log.md, phases B and C), on PostgreSQL", () => {
  it("leaves the run row alone through mid-run steps, and a process that takes the run over replays the log and counts its totals", async () => {
    const { conversationId, traceId, effects, first, runId } = await crashedMidRun([lookup("o1"), lookup("o2")]);
    const parked = await runRow(runId);
    const stored = parked.checkpoint as RunState;
    // Steps 2 and 3 committed their step rows only; the run row is as step 1 left it.
    expect(stored.step).toBe(1);
    expect(parked).toMatchObject({ seq: stored.seq, checkpointSeq: null });
    expect(parked.llmCalls).toBeLessThan((await logTotals(parked.id)).calls);
    const loaded = await first.store.loadCheckpoint(parked.id);
    expect(loaded?.log?.filter((e) => e.type === "step_started").map((e) => e.type === "step_started" && e.step)).toEqual([2, 3]);
    expect(loaded?.log?.[0]?.seq).toBe(stored.seq + 1);
    expect(loaded?.seq).toBe(loaded?.log?.at(-1)?.seq);

    const survivor = processOf(conversationId, traceId, { technical: [{ output: { reply: "Both are fine." } }] }, effects);
    const state = await survivor.loop.run(parked.id);

    expect(state).toMatchObject({ status: "completed", output: { reply: "Both are fine." } });
    // o2's lookup ran in the step that crashed; the ledger answered it, nothing ran twice.
    expect(effects.lookups).toEqual(["o1", "o2"]);
    const settled = await runRow(parked.id);
    expect(settled).toMatchObject({ status: "completed", seq: state.seq, checkpointSeq: null });
    expect(settled.checkpoint).toEqual(JSON.parse(JSON.stringify(state)));
    // The steps the survivor replayed are counted once, with its own.
    const totals = await logTotals(parked.id);
    expect(totals.calls).toBeGreaterThan(3);
    expect(settled).toMatchObject({ llmCalls: totals.calls, inputTokens: totals.input, outputTokens: totals.output });
    expect([...settled.agents].sort()).toEqual(["router", "technical"]);
    expect(await survivor.store.loadCheckpoint(parked.id)).toEqual({ state: settled.checkpoint, seq: state.seq });
  });

  it("refuses a second writer of a deferred step, and a stale one, by the step row's key alone", async () => {
    const { first, runId } = await crashedMidRun([lookup("o1")]);
    const row = await runRow(runId);
    const loaded = (await first.store.loadCheckpoint(runId))!;
    expect(loaded.seq).toBeGreaterThan(row.seq);

    const stepAt = (seq: number): RunEvent => ({ runId, seq, at: Date.now(), agent: "technical", agentVersion: 1, type: "step_started", step: 9, threads: ["t1"] });
    const state = { ...loaded.state, seq: loaded.seq + 1 };
    const commit = (store: PgRunStore, from: number) =>
      store.commitStep(runId, from, [stepAt(from + 1)], { ...state, seq: from + 1 }, { deferCheckpoint: true });
    // Two writers of the same next step: exactly one goes in.
    const results = await Promise.allSettled([commit(new PgRunStore(testDb()), loaded.seq), commit(new PgRunStore(testDb()), loaded.seq)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")?.reason).toBeInstanceOf(ConcurrencyConflict);
    // A writer that knows only the stored checkpoint collides with the step after it, deferred or storing.
    await expect(commit(new PgRunStore(testDb()), row.seq)).rejects.toBeInstanceOf(ConcurrencyConflict);
    await expect(new PgRunStore(testDb()).commitStep(runId, row.seq, [stepAt(row.seq + 1)], { ...state, seq: row.seq + 1 })).rejects.toBeInstanceOf(ConcurrencyConflict);
    // A worker that does not hold the lease is refused too.
    await testDb().update(schema.runs).set({ leaseOwner: "wrk-other" }).where(eq(schema.runs.id, runId));
    const mine = new PgRunStore(testDb(), { owner: "wrk-mine" });
    await expect(commit(mine, loaded.seq + 1)).rejects.toBeInstanceOf(ConcurrencyConflict);

    expect(await runRow(runId)).toMatchObject({ seq: row.seq, checkpoint: row.checkpoint, llmCalls: row.llmCalls });
    const [steps] = await queryRows<{ last: number }>(
      testDb(),
      sql`select max(seq)::int as last from run_steps where run_id = ${runId}`,
    );
    expect(steps!.last).toBe(loaded.seq + 1);
  });

  it("continues a run that phase C left mid-run (its seq ahead of its checkpoint, its totals counted) without counting a step twice", async () => {
    const { conversationId, traceId, effects, first, runId } = await crashedMidRun([lookup("o1"), lookup("o2")]);
    const row = await runRow(runId);
    const loaded = (await first.store.loadCheckpoint(runId))!;
    const before = await logTotals(runId);
    // The row as phase C wrote it: seq and totals at the last step, the checkpoint behind.
    await testDb().update(schema.runs)
      .set({ seq: loaded.seq, checkpointSeq: row.seq, llmCalls: before.calls, inputTokens: before.input, outputTokens: before.output })
      .where(eq(schema.runs.id, runId));

    const survivor = processOf(conversationId, traceId, { technical: [{ output: { reply: "Both are fine." } }] }, effects);
    expect(await survivor.loop.run(runId)).toMatchObject({ status: "completed" });
    expect(effects.lookups).toEqual(["o1", "o2"]);
    const totals = await logTotals(runId);
    expect(await runRow(runId)).toMatchObject({ checkpointSeq: null, llmCalls: totals.calls, inputTokens: totals.input, outputTokens: totals.output });
  });

  it("stores every checkpoint with checkpointEvery 1", async () => {
    const { conversationId, traceId } = await conversation();
    const store = new PgRunStore(testDb(), { newRun: { conversationId, traceId } });
    const loop = new RunLoop({
      chains: [desk],
      model: new ScriptedModel({
        router: [{ toolCalls: [handoffTo("technical", "app crashes")] }],
        technical: [lookup("o1"), { crash: "process killed" }],
      }),
      store,
      ledger: new PgToolLedger(testDb()),
      tools: makeTools({ lookups: [], refunds: [] }),
      ids: { newId },
      checkpointEvery: 1,
    });
    await expect(loop.start("desk", "an order")).rejects.toThrow("process killed");
    const [row] = await testDb().select().from(schema.runs).where(eq(schema.runs.conversationId, conversationId));

    expect(row!.checkpointSeq).toBeNull();
    expect((row!.checkpoint as RunState).seq).toBe(row!.seq);
    expect(await store.loadCheckpoint(row!.id)).toEqual({ state: row!.checkpoint, seq: row!.seq });
  });
});
