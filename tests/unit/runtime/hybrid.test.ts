import { describe, expect, it } from "vitest";
import { z } from "zod";
import { settlementOf } from "@/lib/runs/settlement";
import { type ConflictPolicy, defineAgent, hybrid, peerGroup, resolveConflict } from "@/lib/runtime";
import { eventsOfType, expectGapFree, harness } from "./fixtures";

const verdictSchema = z.object({ verdict: z.enum(["raise", "hold", "lower"]) });
const agent = (name: string) =>
  defineAgent({ name, version: 1, instructions: `${name}.`, outputSchema: verdictSchema });
const lead = defineAgent({
  name: "lead",
  version: 1,
  instructions: "Decide.",
  outputSchema: z.object({ decision: z.string() }),
});
const planner = defineAgent({
  name: "planner",
  version: 1,
  instructions: "Plan.",
  outputSchema: z.object({ plan: z.string() }),
});
const [a, b, c, backup] = [agent("alpha"), agent("beta"), agent("gamma"), agent("backup")];

function desk(conflict: ConflictPolicy) {
  return hybrid({
    name: "desk",
    stages: [
      planner,
      peerGroup({
        name: "analysts",
        peers: [a, b, c].map((p) => ({ agent: p, subscribes: ["task"], publishes: "verdict" })),
        answerTopic: "verdict",
        conflict,
      }),
      lead,
    ],
    agents: [backup],
    fallback: { rungs: [{ kind: "agent", agent: "backup" }, { kind: "human" }], skipAgentRungs: ["lead", "planner"] },
  });
}

const says = (verdict: string) => [{ output: { verdict } }];

describe("hybrid", () => {
  it("runs orchestrated stages around a peer group and hands the group's result on", async () => {
    const h = harness([desk({ rule: "majority" })], {
      planner: [{ output: { plan: "check" } }],
      alpha: says("raise"),
      beta: says("raise"),
      gamma: says("raise"),
      lead: [{ output: { decision: "raise 5%" } }],
    });
    const state = await h.loop.start("desk", "price of x");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ decision: "raise 5%" });
    expect(state.threads.map((t) => [t.agent, t.role, t.index])).toEqual([
      ["planner", "orchestrator", 0],
      ["alpha", "peer", 1],
      ["beta", "peer", 1],
      ["gamma", "peer", 1],
      ["lead", "orchestrator", 2],
    ]);
    const events = h.store.events(state.runId);
    // The three peers ran in one step, between the two orchestrated ones.
    expect(eventsOfType(events, "step_started").map((s) => s.threads.length)).toEqual([1, 3, 1]);
    const entry = eventsOfType(events, "published")[0];
    expect(entry).toMatchObject({ agent: "planner", group: "analysts", topic: "task", hop: false });
    expect(entry!.delivered).toEqual(["t2", "t3", "t4"]);
    const leadInput = JSON.parse(h.model.callsFor("lead")[0]!.messages[0]!.content!) as unknown;
    expect(leadInput).toMatchObject({
      group: "analysts",
      input: { plan: "check" },
      answer: { verdict: "raise" },
      outputs: { alpha: { verdict: "raise" }, beta: { verdict: "raise" }, gamma: { verdict: "raise" } },
    });
    expect(eventsOfType(events, "conflict_resolved")[0]).toMatchObject({ agreed: true, outcome: "chosen" });
    expect(expectGapFree(events)).toBe(true);
  });

  it("puts a fallback agent in a failing peer's place, answering as that peer", async () => {
    const h = harness([desk({ rule: "priority" })], {
      planner: [{ output: { plan: "check" } }],
      alpha: [{ fault: "server_error" }],
      backup: says("hold"),
      beta: says("raise"),
      gamma: says("raise"),
      lead: [{ output: { decision: "hold" } }],
    });
    const state = await h.loop.start("desk", "price of x");

    expect(state.status).toBe("completed");
    const events = h.store.events(state.runId);
    expect(eventsOfType(events, "fallback")[0]).toMatchObject({ from: "alpha", to: "backup" });
    const stand = state.threads.find((t) => t.agent === "backup");
    expect(stand?.peer).toMatchObject({ group: "analysts", as: "alpha" });
    // Priority order is the declared one: the stand-in's answer counts as alpha's and wins.
    expect(eventsOfType(events, "conflict_resolved")[0]).toMatchObject({
      outcome: "chosen",
      chosen: { agent: "alpha", vote: '{"verdict":"hold"}' },
    });
  });
});

describe("bounds in a hybrid chain", () => {
  it("escalates at maxSteps when the last output is a peer's verdict, not a reply", async () => {
    const bounded = hybrid({
      name: "bounded",
      stages: [planner, peerGroup({ name: "analysts", peers: [{ agent: a, subscribes: ["task"], publishes: "verdict" }], answerTopic: "verdict" }), lead],
      limits: { maxSteps: 2 },
    });
    const h = harness([bounded], { planner: [{ output: { plan: "check" } }], alpha: says("raise"), lead: [{ output: { decision: "raise" } }] });
    const state = await h.loop.start("bounded", "price");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("max_steps");
    expect(state.lastOutput).toEqual({ agent: "alpha", output: { verdict: "raise" } });
    expect(settlementOf(state)).toMatchObject({ conversationStatus: "escalated" });
  });
});

describe("conflict rules with disagreeing peers", () => {
  const disagree = {
    planner: [{ output: { plan: "check" } }],
    alpha: says("raise"),
    beta: says("lower"),
    gamma: says("lower"),
  };
  const answers = [
    { agent: "alpha", vote: '{"verdict":"raise"}', answer: { verdict: "raise" } },
    { agent: "beta", vote: '{"verdict":"lower"}', answer: { verdict: "lower" } },
    { agent: "gamma", vote: '{"verdict":"lower"}', answer: { verdict: "lower" } },
  ];

  it("majority: the answer most peers gave goes on, with every answer recorded", async () => {
    const h = harness([desk({ rule: "majority" })], { ...disagree, lead: [{ output: { decision: "lower" } }] });
    const state = await h.loop.start("desk", "price");

    expect(state.status).toBe("completed");
    const [event] = eventsOfType(h.store.events(state.runId), "conflict_resolved");
    expect(event).toMatchObject({ rule: "majority", agreed: false, outcome: "chosen", answers });
    expect(event!.chosen).toEqual({ agent: "beta", vote: '{"verdict":"lower"}' });
    const leadInput = JSON.parse(h.model.callsFor("lead")[0]!.messages[0]!.content!) as { answer: unknown };
    expect(leadInput.answer).toEqual({ verdict: "lower" });
  });

  it("priority: the highest-priority peer's answer wins even against the majority", async () => {
    const h = harness([desk({ rule: "priority", priority: ["alpha", "gamma", "beta"] })], {
      ...disagree,
      lead: [{ output: { decision: "raise" } }],
    });
    const state = await h.loop.start("desk", "price");

    const [event] = eventsOfType(h.store.events(state.runId), "conflict_resolved");
    expect(event).toMatchObject({ rule: "priority", outcome: "chosen", answers });
    expect(event!.chosen).toEqual({ agent: "alpha", vote: '{"verdict":"raise"}' });
    const leadInput = JSON.parse(h.model.callsFor("lead")[0]!.messages[0]!.content!) as { answer: unknown };
    expect(leadInput.answer).toEqual({ verdict: "raise" });
  });

  it("escalate: any disagreement goes to a person with the reason, and the lead never runs", async () => {
    const h = harness([desk({ rule: "escalate" })], disagree);
    const state = await h.loop.start("desk", "price");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("peer_conflict");
    expect(state.escalation?.detail).toContain("alpha: {\"verdict\":\"raise\"}");
    const events = h.store.events(state.runId);
    const [event] = eventsOfType(events, "conflict_resolved");
    expect(event).toMatchObject({ rule: "escalate", outcome: "escalated", answers });
    expect(eventsOfType(events, "escalated")[0]).toMatchObject({ reason: "peer_conflict" });
    expect(h.model.callsFor("lead")).toHaveLength(0);
  });

  it("a person hands a peer_conflict back: the group works it afresh and the run completes", async () => {
    const h = harness([desk({ rule: "escalate" })], {
      ...disagree,
      planner: [{ output: { plan: "check" } }, { output: { plan: "check again" } }],
      alpha: [...says("raise"), ...says("lower")],
      beta: [...says("lower"), ...says("lower")],
      gamma: [...says("lower"), ...says("lower")],
      lead: [{ output: { decision: "lower" } }],
    });
    const escalated = await h.loop.start("desk", "price");
    expect(escalated.escalation?.reason).toBe("peer_conflict");
    await h.loop.handBack(escalated.runId, { note: "alpha, look again", input: "price, again" });
    const state = await h.loop.run(escalated.runId);

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ decision: "lower" });
    const conflicts = eventsOfType(h.store.events(state.runId), "conflict_resolved");
    expect(conflicts.map((c) => [c.outcome, c.agreed])).toEqual([
      ["escalated", false],
      ["chosen", true],
    ]);
    expect(eventsOfType(h.store.events(state.runId), "sub_problem_skipped")).toHaveLength(0);
  });

  it("majority without a majority escalates; votes compare a chosen field only", () => {
    const tie = resolveConflict({ rule: "majority" }, [
      { agent: "a", answer: { v: 1 } },
      { agent: "b", answer: { v: 2 } },
    ]);
    expect(tie).toMatchObject({ outcome: "escalated", detail: expect.stringContaining("no majority") as unknown });
    const byField = resolveConflict({ rule: "escalate", vote: (x) => String((x as { v: number }).v) }, [
      { agent: "a", answer: { v: 1, why: "x" } },
      { agent: "b", answer: { why: "y", v: 1 } },
    ]);
    expect(byField).toMatchObject({ outcome: "chosen", agreed: true, chosen: { agent: "a" } });
  });
});
