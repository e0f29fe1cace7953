import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { newId } from "@/lib/ids";
import { RunLoop, type RunState, supervisor } from "@/lib/runtime";
import { handoffTo, ScriptedModel, type ScriptedResponse } from "@/lib/runtime/testing";
import { PgRunStore } from "@/lib/runs/pg-run-store";
import { PgToolLedger } from "@/lib/runs/pg-tool-ledger";
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

describe("checkpoints left to the log (docs/step-log.md, phase C), on PostgreSQL", () => {
  it("keeps the row's older checkpoint through mid-run steps, and a process that takes the run over replays the log", async () => {
    const { conversationId, traceId } = await conversation();
    const effects: Effects = { lookups: [], refunds: [] };
    const first = processOf(conversationId, traceId, {
      router: [{ toolCalls: [handoffTo("technical", "app crashes")] }],
      technical: [lookup("o1"), lookup("o2"), { crash: "process killed" }],
    }, effects);
    await expect(first.loop.start("desk", "two orders")).rejects.toThrow("process killed");

    const [started] = await testDb().select({ id: schema.runs.id }).from(schema.runs).where(eq(schema.runs.conversationId, conversationId));
    const parked = await runRow(started!.id);
    const stored = parked.checkpoint as RunState;
    // Steps 2 and 3 committed their events only; the row still holds step 1's checkpoint.
    expect(stored.step).toBe(1);
    expect(parked.checkpointSeq).toBe(stored.seq);
    expect(parked.seq).toBeGreaterThan(stored.seq);
    const loaded = await first.store.loadCheckpoint(parked.id);
    expect(loaded?.seq).toBe(parked.seq);
    expect(loaded?.log?.filter((e) => e.type === "step_started").map((e) => e.type === "step_started" && e.step)).toEqual([2, 3]);
    expect(loaded?.log?.[0]?.seq).toBe(stored.seq + 1);
    expect(loaded?.log?.at(-1)?.seq).toBe(parked.seq);

    const survivor = processOf(conversationId, traceId, { technical: [{ output: { reply: "Both are fine." } }] }, effects);
    const state = await survivor.loop.run(parked.id);

    expect(state).toMatchObject({ status: "completed", output: { reply: "Both are fine." } });
    // o2's lookup ran in the step that crashed; the ledger answered it, nothing ran twice.
    expect(effects.lookups).toEqual(["o1", "o2"]);
    const settled = await runRow(parked.id);
    expect(settled).toMatchObject({ status: "completed", seq: state.seq, checkpointSeq: null });
    expect(settled.checkpoint).toEqual(JSON.parse(JSON.stringify(state)));
    expect(await survivor.store.loadCheckpoint(parked.id)).toEqual({ state: settled.checkpoint, seq: state.seq });
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
