import { describe, expect, it } from "vitest";
import { ConcurrencyConflict, defineAgent, pipeline, RunLoop, supervisor } from "@/lib/runtime";
import { handoffTo, ScriptedModel, sequentialIds } from "@/lib/runtime/testing";
import { billing, eventsOfType, expectGapFree, harness, replySchema, router, technical, writer } from "./fixtures";

const desk = supervisor({ name: "desk", router, specialists: [billing, technical] });
const toBilling = { toolCalls: [handoffTo("billing", "refund 50")] };
const smallRefund = { toolCalls: [{ name: "refund", args: { orderId: "o1", amount: 50 } }] };

describe("resume after a crash", () => {
  it("continues from the checkpoint and replays a recorded tool call instead of repeating it", async () => {
    // Step 3 runs the refund, then the process dies in the model call: nothing of step 3 commits.
    const h = harness([desk], {
      router: [toBilling],
      billing: [smallRefund, { crash: "process killed" }],
    });
    const created = await h.loop.create("desk", "refund 50");
    await expect(h.loop.run(created.runId)).rejects.toThrow("process killed");
    expect(h.effects.refunds).toHaveLength(1);
    // Steps 1 and 2 committed; their checkpoints are left to the log, which a takeover replays.
    const loaded = await h.store.loadCheckpoint(created.runId);
    expect(loaded?.state.step).toBe(0);
    expect(eventsOfType(loaded?.log ?? [], "step_started").map((e) => e.step)).toEqual([1, 2]);
    expect(eventsOfType(h.store.events(created.runId), "tool_call")).toHaveLength(0);

    const { loop: survivor } = h.newLoop({ billing: [{ output: { reply: "Refunded 50." } }] });
    const state = await survivor.run(created.runId);

    expect(state.status).toBe("completed");
    expect(h.effects.refunds).toHaveLength(1);
    const [call] = eventsOfType(h.store.events(created.runId), "tool_call");
    expect(call).toMatchObject({
      key: `${created.runId}:2:0`,
      replayed: true,
      output: { ok: true, output: { refundId: "rf_1" } },
    });
    expect(expectGapFree(h.store.events(created.runId))).toBe(true);
  });

  it("repeats an effect whose outcome was never recorded, with the same key, flagged as repeated", async () => {
    const h = harness([desk], {
      router: [toBilling],
      billing: [smallRefund, { output: { reply: "Done." } }],
    });
    const created = await h.loop.create("desk", "refund 50");
    await h.loop.step(created.runId);
    await h.loop.step(created.runId);
    // A previous process recorded the intent and died before recording the outcome.
    const key = `${created.runId}:2:0`;
    await h.ledger.begin(key, {
      tool: "refund",
      input: { orderId: "o1", amount: 50 },
      at: h.clock.now(),
    });
    const state = await h.loop.run(created.runId);

    expect(state.status).toBe("completed");
    expect(h.effects.refunds).toEqual([{ orderId: "o1", amount: 50, key, repeated: true }]);
  });
});

describe("concurrent writers", () => {
  it("lets exactly one of two racing steps commit; the other gets ConcurrencyConflict", async () => {
    const script = { router: [{ ...toBilling, delayMs: 10 }] };
    const h = harness([desk], script);
    const created = await h.loop.create("desk", "refund 50");
    const other = h.newLoop(script).loop;
    const results = await Promise.allSettled([
      h.loop.step(created.runId),
      other.step(created.runId),
    ]);

    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(ConcurrencyConflict);

    const events = h.store.events(created.runId);
    expect(eventsOfType(events, "step_started")).toHaveLength(1);
    expect(eventsOfType(events, "handoff")).toHaveLength(1);
    expect(expectGapFree(events)).toBe(true);
    const loaded = await h.store.loadCheckpoint(created.runId);
    expect(loaded?.seq).toBe(events.length);
    expect(eventsOfType(loaded?.log ?? [], "step_started").map((e) => e.step)).toEqual([1]);

    const { loop: next } = h.newLoop({ billing: [{ output: { reply: "ok" } }] });
    expect((await next.run(created.runId)).status).toBe("completed");
  });

  it("rejects a commit whose expected seq is stale without writing anything", async () => {
    const h = harness([desk], { router: [toBilling] });
    const created = await h.loop.create("desk", "x");
    const before = h.store.events(created.runId);
    const stale = { ...created, seq: 5 };
    const event = { ...before[0]!, seq: 1 };
    await expect(h.store.commitStep(created.runId, 0, [event], stale)).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    expect(h.store.events(created.runId)).toEqual(before);
  });
});

describe("a deploy that bumps an agent's version", () => {
  const writerV2 = defineAgent({ name: "writer", version: 2, instructions: "Write the reply (v2).", outputSchema: replySchema });

  it("finishes a run pinned to the removed version on the deployed one, and its events name it", async () => {
    const h = harness([pipeline({ name: "skew", stages: [writer] })], {});
    const created = await h.loop.create("skew", "hello");
    expect(created.versions).toMatchObject({ writer: 1 });
    // The next process has only v2 of the writer: the queued run is picked up there.
    const deployed = new RunLoop({
      chains: [pipeline({ name: "skew", stages: [writerV2] })],
      model: new ScriptedModel({ writer: [{ output: { reply: "Hi from v2." } }] }, { clock: h.clock }),
      store: h.store,
      ledger: h.ledger,
      tools: h.tools,
      ids: sequentialIds(),
      clock: h.clock,
    });
    const state = await deployed.run(created.runId);
    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ reply: "Hi from v2." });
    expect(state.threads[0]?.version).toBe(2);
    const [call] = eventsOfType(h.store.events(created.runId), "llm_call");
    expect(call?.agentVersion).toBe(2);
  });

  it("still refuses a run whose agent the chain no longer has at all", async () => {
    const h = harness([pipeline({ name: "skew", stages: [writer] })], {});
    const created = await h.loop.create("skew", "hello");
    const other = defineAgent({ name: "other", version: 1, instructions: "x", outputSchema: replySchema });
    const deployed = new RunLoop({
      chains: [pipeline({ name: "skew", stages: [other] })],
      model: new ScriptedModel({}, { clock: h.clock }),
      store: h.store,
      ledger: h.ledger,
      tools: h.tools,
      ids: sequentialIds(),
      clock: h.clock,
    });
    const state = await deployed.run(created.runId).catch((e: unknown) => e);
    const failed = state instanceof Error ? state.message : JSON.stringify(state);
    expect(failed).toContain("writer");
  });
});
