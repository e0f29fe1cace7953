import { describe, expect, it } from "vitest";
import { z } from "zod";
import { settlementOf } from "@/lib/runs/settlement";
import { defineAgent, mesh } from "@/lib/runtime";
import { handoffTo } from "@/lib/runtime/testing";
import { eventsOfType, expectGapFree, harness } from "./fixtures";

const noteSchema = z.object({
  note: z.string(),
  context: z.record(z.string(), z.unknown()).optional(),
});
const peer = (name: string, tools: string[] = []) =>
  defineAgent({ name, version: 1, instructions: `Peer ${name}.`, outputSchema: noteSchema, tools });

const scout = peer("scout", ["refund"]);
const analyst = peer("analyst");
const critic = peer("critic");
const echo = peer("echo");

/** scout and analyst hear the task; critic reacts to the scout's finding and answers. */
const research = mesh({
  name: "research",
  peers: [
    { agent: scout, subscribes: ["task"], publishes: "finding" },
    { agent: analyst, subscribes: ["task"] },
    { agent: critic, subscribes: ["finding"], publishes: "answer" },
  ],
  answerTopic: "answer",
  writers: { price: ["scout"] },
});

const note = (text: string, context?: Record<string, unknown>) => ({
  output: { note: text, ...(context ? { context } : {}) },
});

describe("mesh", () => {
  it("delivers published results as durable events to subscribers and answers when quiescent", async () => {
    const h = harness([research], {
      scout: [note("found it", { price: 10 })],
      analyst: [note("looked", { price: 99 })],
      critic: [note("final")],
    });
    const state = await h.loop.start("research", "find the price");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ note: "final" });
    const events = h.store.events(state.runId);
    const published = eventsOfType(events, "published");
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({ agent: "scout", topic: "finding", hop: true, hops: 1 });
    expect(published[0]!.delivered).toHaveLength(1);
    // Only the designated writer changed the shared store; the other write is recorded as rejected.
    const writes = eventsOfType(events, "context_write");
    expect(writes.map((w) => [w.agent, w.accepted])).toEqual([
      ["scout", true],
      ["analyst", false],
    ]);
    expect(writes[1]!.reason).toContain("not a designated writer");
    expect(state.mesh?.context).toEqual({ price: 10 });
    // The critic read the shared store as it stood when the finding reached it.
    const criticInput = JSON.parse(h.model.callsFor("critic")[0]!.messages[0]!.content!) as {
      context: unknown;
      topic: string;
    };
    expect(criticInput).toMatchObject({ topic: "finding", context: { price: 10 } });
    expect(state.threads.filter((t) => t.role === "peer")).toHaveLength(3);
    expect(expectGapFree(events)).toBe(true);
  });

  it("never lets two peers solve the same sub-problem: the second is skipped and recorded", async () => {
    const twins = mesh({
      name: "twins",
      peers: [
        { agent: scout, subscribes: ["task"], publishes: "finding" },
        { agent: analyst, subscribes: ["task"], publishes: "finding" },
        // Both solve "review" of the same key: only the first delivery opens a thread.
        { agent: critic, subscribes: ["finding"], solves: "review" },
        { agent: echo, subscribes: ["finding"], solves: "review" },
      ],
    });
    const h = harness([twins], {
      scout: [note("a")],
      analyst: [note("b")],
      critic: [note("reviewed")],
    });
    const state = await h.loop.start("twins", "go");

    expect(state.status).toBe("completed");
    const events = h.store.events(state.runId);
    const skipped = eventsOfType(events, "sub_problem_skipped");
    // echo skipped for scout's message (critic took it); both skipped for analyst's (same key).
    expect(skipped.map((s) => s.peer)).toEqual(["echo", "critic", "echo"]);
    expect(skipped.every((s) => s.subProblem === "mesh:review:stage0")).toBe(true);
    // Named alike whether it was taken in the same delivery or by an earlier thread: the peer.
    expect(skipped.map((s) => s.solvedBy)).toEqual(["critic", "critic", "critic"]);
    expect(h.model.callsFor("critic")).toHaveLength(1);
    expect(h.model.callsFor("echo")).toHaveLength(0);
  });

  it("bounds hops: peers that keep messaging each other stop at maxHops, recorded as the bound", async () => {
    const ping = mesh({
      name: "ping",
      peers: [
        { agent: scout, subscribes: ["task", "pong"], publishes: "ping", key: (o) => noteSchema.parse(o).note },
        { agent: analyst, subscribes: ["ping"], publishes: "pong" },
      ],
      limits: { maxHops: 3, maxSteps: 50 },
    });
    const h = harness([ping], {
      scout: Array.from({ length: 10 }, (_, i) => note(`ping${i}`)),
      analyst: Array.from({ length: 10 }, () => note("pong")),
    });
    const state = await h.loop.start("ping", "go");

    // The last output is a peer's note to its peers, nothing to tell a customer: a person takes it.
    expect(state.status).toBe("escalated");
    expect(state.escalation).toMatchObject({ reason: "max_hops", detail: "peers would take 4 hops, more than 3" });
    expect(state.mesh?.hops).toBe(3);
    const events = h.store.events(state.runId);
    expect(eventsOfType(events, "published").filter((p) => p.hop)).toHaveLength(3);
    expect(eventsOfType(events, "completed")).toHaveLength(0);
    expect(settlementOf(state)).toMatchObject({ conversationStatus: "escalated" });
  });

  it("ends at the hop bound with the last output when it is a reply, marked partial", async () => {
    const draftSchema = z.object({ reply: z.string(), round: z.number() });
    const drafter = (name: string) => defineAgent({ name, version: 1, instructions: `${name}.`, outputSchema: draftSchema });
    const drafts = mesh({
      name: "drafts",
      peers: [
        { agent: drafter("writer"), subscribes: ["task", "edit"], publishes: "draft", key: (o) => `r${draftSchema.parse(o).round}` },
        { agent: drafter("editor"), subscribes: ["draft"], publishes: "edit" },
      ],
      limits: { maxHops: 2, maxSteps: 50 },
    });
    const draft = (round: number) => ({ output: { reply: `draft ${round}`, round } });
    const h = harness([drafts], {
      writer: [draft(1), draft(3), draft(5)],
      editor: [draft(2), draft(4)],
    });
    const state = await h.loop.start("drafts", "go");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ reply: "draft 3", round: 3 });
    const [completed] = eventsOfType(h.store.events(state.runId), "completed");
    expect(completed).toMatchObject({ partial: true, bound: "max_hops" });
  });

  it("resumes after a crash from the checkpoint and replays a peer's tool call instead of repeating it", async () => {
    const refund = { toolCalls: [{ name: "refund", args: { orderId: "o9", amount: 20 } }] };
    const h = harness([research], {
      scout: [refund, { crash: "process killed" }],
      analyst: [note("looked")],
    });
    const created = await h.loop.create("research", "refund and research");
    await expect(h.loop.run(created.runId)).rejects.toThrow("process killed");
    expect(h.effects.refunds).toHaveLength(1);

    const { loop: survivor } = h.newLoop({ scout: [note("refunded")], critic: [note("ok")] });
    const state = await survivor.run(created.runId);

    expect(state.status).toBe("completed");
    expect(h.effects.refunds).toHaveLength(1);
    const [call] = eventsOfType(h.store.events(created.runId), "tool_call");
    expect(call).toMatchObject({ replayed: true, agent: "scout" });
    expect(expectGapFree(h.store.events(created.runId))).toBe(true);
  });

  it("a peer's handoff target answers as that peer: it publishes its message and counts as busy", async () => {
    const pricer = defineAgent({ name: "pricer", version: 1, instructions: "Price.", outputSchema: noteSchema });
    const delegating = defineAgent({ name: "scout", version: 1, instructions: "Peer scout.", outputSchema: noteSchema, handoffs: ["pricer"] });
    const handing = mesh({
      name: "handing",
      peers: [
        { agent: delegating, subscribes: ["task"], publishes: "finding" },
        { agent: analyst, subscribes: ["task"] },
        { agent: critic, subscribes: ["finding"], publishes: "answer" },
      ],
      answerTopic: "answer",
      agents: [pricer],
    });
    const h = harness([handing], {
      scout: [{ toolCalls: [handoffTo("pricer", "you know prices")] }],
      // The analyst finishes while the pricer still works: the group must not settle without it.
      analyst: [note("looked")],
      pricer: [note("costs 10")],
      critic: [note("final")],
    });
    const state = await h.loop.start("handing", "find the price");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ note: "final" });
    const stand = state.threads.find((t) => t.agent === "pricer");
    expect(stand?.peer).toMatchObject({ group: "mesh", as: "scout" });
    const [finding] = eventsOfType(h.store.events(state.runId), "published").filter((p) => p.topic === "finding");
    expect(finding).toMatchObject({ agent: "pricer", payload: { note: "costs 10" } });
    expect(h.model.callsFor("critic")).toHaveLength(1);
  });

  it("rejects a group whose entry topic nobody hears or whose writers are not peers", () => {
    expect(() => mesh({ name: "x", peers: [{ agent: scout, subscribes: ["other"] }] })).toThrow(
      /nobody subscribes to task/,
    );
    expect(() =>
      mesh({ name: "y", peers: [{ agent: scout, subscribes: ["task"] }], writers: { k: ["ghost"] } }),
    ).toThrow(/ghost are not peers/);
  });
});
