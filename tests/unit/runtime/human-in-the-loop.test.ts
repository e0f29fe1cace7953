import { describe, expect, it } from "vitest";
import { ConfigurationError, humanReview, pipeline, supervisor } from "@/lib/runtime";
import { handoffTo } from "@/lib/runtime/testing";
import { billing, eventsOfType, harness, router, technical, triage, writer } from "./fixtures";

const desk = supervisor({
  name: "desk",
  router,
  specialists: [billing, technical],
  limits: { budgetMs: 60_000 },
});
const bigRefund = { toolCalls: [{ name: "refund", args: { orderId: "o9", amount: 250 } }] };
const toBilling = { toolCalls: [handoffTo("billing", "wants a refund of 250")] };

describe("human in the loop: tool approval", () => {
  it("parks a high-impact call above the threshold with a serialisable interruption", async () => {
    const h = harness([desk], { router: [toBilling], billing: [bigRefund] });
    const state = await h.loop.start("desk", "Refund 250 please");

    expect(state.status).toBe("waiting_for_human");
    expect(h.effects.refunds).toHaveLength(0);
    const stored = await h.store.loadCheckpoint(state.runId);
    expect(stored?.state.interruptions).toEqual([
      {
        kind: "tool_approval",
        id: `${state.runId}:2:0:approval`,
        threadId: "t2",
        agent: "billing",
        callKey: `${state.runId}:2:0`,
        tool: "refund",
        args: { orderId: "o9", amount: 250 },
      },
    ]);
    expect(eventsOfType(h.store.events(state.runId), "interrupted")).toHaveLength(1);
    await expect(h.loop.step(state.runId)).rejects.toThrow(ConfigurationError);
  });

  it("runs the approved call exactly once after resume, in another process", async () => {
    const h = harness([desk], { router: [toBilling], billing: [bigRefund] });
    const parked = await h.loop.start("desk", "Refund 250 please");
    const { loop: lead } = h.newLoop({ billing: [{ output: { reply: "Refunded 250." } }] });
    const interruptionId = parked.interruptions[0]!.id;
    const state = await lead.resume(parked.runId, {
      interruptionId,
      approved: true,
      by: "lead@example.com",
    });

    expect(state.status).toBe("completed");
    expect(h.effects.refunds).toEqual([
      { orderId: "o9", amount: 250, key: `${parked.runId}:2:0`, repeated: false },
    ]);
    const events = h.store.events(parked.runId);
    expect(eventsOfType(events, "human_decision")[0]).toMatchObject({
      interruptionId,
      approved: true,
      by: "lead@example.com",
      agent: "billing",
    });
    expect(eventsOfType(events, "tool_call")[0]).toMatchObject({ tool: "refund", replayed: false });
  });

  it("can record a decision without driving the run, leaving the work to a worker", async () => {
    const h = harness([desk], { router: [toBilling], billing: [bigRefund] });
    const parked = await h.loop.start("desk", "Refund 250 please");
    const decided = await h.loop.decide(parked.runId, {
      interruptionId: parked.interruptions[0]!.id,
      approved: true,
    });

    expect(decided.status).toBe("running");
    expect(decided.seq).toBe(parked.seq + 1);
    expect(h.effects.refunds).toHaveLength(0);
    const { loop: worker } = h.newLoop({ billing: [{ output: { reply: "Refunded." } }] });
    expect((await worker.run(parked.runId)).status).toBe("completed");
    expect(h.effects.refunds).toHaveLength(1);
  });

  it("answers a rejected call to the model instead of running it", async () => {
    const h = harness([desk], { router: [toBilling], billing: [bigRefund] });
    const parked = await h.loop.start("desk", "Refund 250 please");
    const { loop, model } = h.newLoop({
      billing: [{ output: { reply: "A colleague will review this." } }],
    });
    const state = await loop.resume(parked.runId, {
      interruptionId: parked.interruptions[0]!.id,
      approved: false,
      note: "over limit",
    });

    expect(state.status).toBe("completed");
    expect(h.effects.refunds).toHaveLength(0);
    expect(eventsOfType(h.store.events(parked.runId), "tool_refused")[0]).toMatchObject({
      reason: "rejected_by_human",
    });
    expect(model.calls[0]!.messages.at(-1)!.content).toContain("over limit");
  });

  it("does not count time spent waiting for a human against the budget", async () => {
    const h = harness([desk], {
      router: [toBilling],
      billing: [bigRefund, { output: { reply: "Done." } }],
    });
    const parked = await h.loop.start("desk", "Refund 250 please");
    h.clock.advance(3_600_000);
    const state = await h.loop.resume(parked.runId, {
      interruptionId: parked.interruptions[0]!.id,
      approved: true,
    });
    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ reply: "Done." });
  });

  it("refuses a decision for an unknown interruption and changes nothing", async () => {
    const h = harness([desk], { router: [toBilling], billing: [bigRefund] });
    const parked = await h.loop.start("desk", "Refund 250 please");
    await expect(
      h.loop.resume(parked.runId, { interruptionId: "nope", approved: true }),
    ).rejects.toThrow(ConfigurationError);
    await expect(h.loop.resume(parked.runId, { approved: "yes" })).rejects.toThrow(
      ConfigurationError,
    );
    expect(h.store.events(parked.runId)).toHaveLength(parked.seq);
  });
});

describe("human in the loop: review stage", () => {
  const reviewed = pipeline({
    name: "reviewed",
    stages: [triage, humanReview("Check the triage"), writer],
  });
  const triaged = { category: "billing", summary: "charged twice" };

  it("parks with the stage output and continues with the human's edit", async () => {
    const h = harness([reviewed], {
      triage: [{ output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    const parked = await h.loop.start("reviewed", "hi");
    expect(parked.status).toBe("waiting_for_human");
    expect(parked.interruptions[0]).toMatchObject({
      kind: "human_review",
      stage: 1,
      payload: triaged,
    });

    const edited = { category: "technical", summary: "login issue" };
    const state = await h.loop.resume(parked.runId, {
      interruptionId: parked.interruptions[0]!.id,
      approved: true,
      output: edited,
    });
    expect(state.status).toBe("completed");
    expect(h.model.callsFor("writer")[0]!.messages[0]!.content).toBe(JSON.stringify(edited));
  });

  it("rejects an edit that breaks the producing stage's schema", async () => {
    const h = harness([reviewed], { triage: [{ output: triaged }] });
    const parked = await h.loop.start("reviewed", "hi");
    const decision = {
      interruptionId: parked.interruptions[0]!.id,
      approved: true,
      output: { category: "sales" },
    };
    await expect(h.loop.resume(parked.runId, decision)).rejects.toThrow(ConfigurationError);
    expect((await h.store.loadCheckpoint(parked.runId))?.state.status).toBe("waiting_for_human");
  });

  it("escalates when the reviewer rejects", async () => {
    const h = harness([reviewed], { triage: [{ output: triaged }] });
    const parked = await h.loop.start("reviewed", "hi");
    const state = await h.loop.resume(parked.runId, {
      interruptionId: parked.interruptions[0]!.id,
      approved: false,
      note: "wrong",
    });
    expect(state.status).toBe("escalated");
    expect(state.escalation).toEqual({ reason: "rejected_by_human", detail: "wrong" });
  });
});
