import { describe, expect, it } from "vitest";
import { ConfigurationError, defineAgent, supervisor } from "@/lib/runtime";
import { handoffTo } from "@/lib/runtime/testing";
import {
  billing,
  eventsOfType,
  expectGapFree,
  harness,
  router,
  technical,
  typesOf,
} from "./fixtures";

const chain = supervisor({
  name: "desk",
  router,
  specialists: [billing, technical],
  limits: { maxHandoffs: 3 },
});

describe("supervisor with handoffs", () => {
  it("hands control to a specialist with the context, and the specialist answers", async () => {
    const h = harness([chain], {
      router: [{ toolCalls: [handoffTo("billing", "customer was charged twice for order 7")] }],
      billing: [{ output: { reply: "I have refunded the duplicate charge." } }],
    });
    const state = await h.loop.start("desk", "Charged twice!");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ reply: "I have refunded the duplicate charge." });
    const [handoff] = eventsOfType(h.store.events(state.runId), "handoff");
    expect(handoff).toMatchObject({
      from: "router",
      to: "billing",
      context: "customer was charged twice for order 7",
      agent: "router",
    });
    const billingCall = h.model.callsFor("billing")[0]!;
    expect(billingCall.messages).toEqual([
      { role: "user", content: "Charged twice!" },
      { role: "user", content: "Handoff from router: customer was charged twice for order 7" },
    ]);
    expect(h.model.callsFor("router")[0]!.tools).toEqual([
      "transfer_to_billing",
      "transfer_to_technical",
    ]);
    expect(state.handoffs).toBe(1);
  });

  it("lets a specialist hand back to the router, which hands on", async () => {
    const h = harness([chain], {
      router: [
        { toolCalls: [handoffTo("billing", "invoice")] },
        { toolCalls: [handoffTo("technical", "it is a login bug")] },
      ],
      billing: [{ toolCalls: [handoffTo("router", "not billing, a login problem")] }],
      technical: [{ output: { reply: "Reset your password here." } }],
    });
    const state = await h.loop.start("desk", "Cannot log in to see my invoice");

    expect(state.status).toBe("completed");
    const hops = eventsOfType(h.store.events(state.runId), "handoff").map(
      (e) => `${e.from}->${e.to}`,
    );
    expect(hops).toEqual(["router->billing", "billing->router", "router->technical"]);
    expect(state.output).toEqual({ reply: "Reset your password here." });
  });

  it("stops agents handing back and forth as a handoff loop before maxHandoffs", async () => {
    const ping = { toolCalls: [handoffTo("billing", "yours")] };
    const pong = { toolCalls: [handoffTo("router", "not mine")] };
    const h = harness([chain], {
      router: [ping, ping, ping, ping],
      billing: [pong, pong, pong, pong],
    });
    const state = await h.loop.start("desk", "??");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("handoff_loop");
    expect(state.escalation?.detail).toContain("router -> billing -> router -> billing");
    const events = h.store.events(state.runId);
    // router -> billing, billing -> router; the repeat router -> billing is the loop.
    expect(eventsOfType(events, "handoff")).toHaveLength(2);
    expect(h.model.calls).toHaveLength(3);
    expect(typesOf(events).at(-1)).toBe("escalated");
    expect(expectGapFree(events)).toBe(true);
  });

  it("escalates past maxHandoffs even without a loop", async () => {
    const short = supervisor({ name: "desk", router, specialists: [billing, technical], limits: { maxHandoffs: 1 } });
    const h = harness([short], {
      router: [{ toolCalls: [handoffTo("billing", "yours")] }],
      billing: [{ toolCalls: [handoffTo("router", "not mine")] }],
    });
    const state = await h.loop.start("desk", "??");

    expect(state.escalation?.reason).toBe("max_handoffs");
    expect(eventsOfType(h.store.events(state.runId), "handoff")).toHaveLength(1);
  });

  it("refuses a handoff to an agent outside the allow-list and lets the agent go on", async () => {
    const h = harness([chain], {
      router: [{ toolCalls: [handoffTo("billing", "refund")] }],
      billing: [
        { toolCalls: [handoffTo("technical", "skip the router")] },
        { output: { reply: "Handled it myself." } },
      ],
    });
    const state = await h.loop.start("desk", "refund please");

    expect(state.status).toBe("completed");
    const [refused] = eventsOfType(h.store.events(state.runId), "tool_refused");
    expect(refused).toMatchObject({
      agent: "billing",
      tool: "transfer_to_technical",
      reason: "not_allowed",
    });
    const retryMessages = h.model.callsFor("billing")[1]!.messages;
    expect(retryMessages.at(-1)).toMatchObject({ role: "tool", name: "transfer_to_technical" });
    expect(eventsOfType(h.store.events(state.runId), "handoff")).toHaveLength(1);
  });

  it("rejects a chain whose handoff targets are not part of it", () => {
    const lonely = defineAgent({
      name: "lonely",
      version: 1,
      instructions: "x",
      handoffs: ["ghost"],
    });
    expect(() => supervisor({ name: "bad", router: lonely, specialists: [] })).toThrow(
      ConfigurationError,
    );
  });
});
