import { describe, expect, it } from "vitest";
import {
  type Chain,
  ConfigurationError,
  defineAgent,
  type FallbackLadder,
  resilientInvoker,
  RunLoop,
  supervisor,
  TEMPLATE_AUTHOR,
} from "@/lib/runtime";
import {
  FakeClock,
  handoffTo,
  MemoryBreakerStore,
  MemoryRunStore,
  MemoryToolLedger,
  ScriptedModel,
  type ScriptedResponse,
  sequentialIds,
} from "@/lib/runtime/testing";
import { billing, eventsOfType, makeTools, replySchema, router, technical } from "./fixtures";

const general = defineAgent({
  name: "general",
  version: 1,
  instructions: "Answer anything politely.",
  modelTier: "fast",
  outputSchema: replySchema,
});

const templateReply = { reply: "Our assistant is busy; here is our help center." };

function deskWith(fallback?: FallbackLadder): Chain {
  return supervisor({ name: "desk", router, specialists: [billing, technical, general], fallback });
}

const ladder = (template: () => unknown = () => templateReply): FallbackLadder => ({
  rungs: [
    { kind: "agent", agent: "general" },
    { kind: "template", answer: template },
    { kind: "human" },
  ],
});

function setup(chain: Chain, script: Record<string, ScriptedResponse[]>) {
  const clock = new FakeClock();
  const store = new MemoryRunStore();
  const breakers = new MemoryBreakerStore();
  const model = new ScriptedModel(script, { clock });
  const loop = new RunLoop({
    chains: [chain],
    model,
    store,
    ledger: new MemoryToolLedger(),
    tools: makeTools({ lookups: [], refunds: [] }),
    ids: sequentialIds(),
    clock,
    invokeModel: resilientInvoker({
      clock,
      breakers,
      sleep: () => Promise.resolve(),
      random: () => 0,
    }),
  });
  const start = async (input: string) => {
    const state = await loop.start("desk", input);
    return { state, events: store.events(state.runId) };
  };
  return { clock, breakers, model, start };
}

const toBilling = { toolCalls: [handoffTo("billing", "refund question")] };
const down: ScriptedResponse = { fault: "server_error" };

describe("fallback ladder", () => {
  it("moves a specialist whose retries ran out to the general agent, and records the rung", async () => {
    const h = setup(deskWith(ladder()), {
      router: [toBilling],
      billing: [down, down, down],
      general: [{ output: { reply: "General here: refunds take 5 days." } }],
    });
    const { state, events } = await h.start("Where is my refund?");
    expect(state.status).toBe("completed");
    expect(state.lastOutput).toEqual({
      agent: "general",
      output: { reply: "General here: refunds take 5 days." },
    });
    expect(h.model.callsFor("billing")).toHaveLength(3);
    expect(eventsOfType(events, "retry").map((e) => e.attempt)).toEqual([2, 3]);
    expect(eventsOfType(events, "fallback")).toMatchObject([
      { agent: "billing", from: "billing", to: "general", rung: 1, reason: "retries_exhausted" },
    ]);
    // The general agent answers the customer's own request, not the failed thread's history.
    expect(h.model.callsFor("general")[0]!.messages).toEqual([
      { role: "user", content: "Where is my refund?" },
    ]);
  });

  it("skips an agent whose breaker is open without calling its model", async () => {
    const h = setup(deskWith(ladder()), {
      router: [toBilling],
      general: [{ output: { reply: "General answer." } }],
    });
    await h.breakers.apply("agent:billing", { type: "force_open" }, h.clock.now());
    const { state, events } = await h.start("Refund please");
    expect(h.model.callsFor("billing")).toHaveLength(0);
    expect(eventsOfType(events, "llm_call").map((e) => e.agent)).toEqual(["router", "general"]);
    expect(eventsOfType(events, "fallback")).toMatchObject([
      {
        from: "billing",
        to: "general",
        reason: "breaker_open",
        detail: expect.stringContaining("agent:billing") as unknown,
      },
    ]);
    expect(state.lastOutput?.agent).toBe("general");
  });

  it("answers with the template when the general agent fails too", async () => {
    const h = setup(deskWith(ladder()), {
      router: [toBilling],
      billing: [down, down, down],
      general: [down, down, down],
    });
    const { state, events } = await h.start("Refund please");
    expect(state.status).toBe("completed");
    expect(state.output).toEqual(templateReply);
    expect(state.lastOutput?.agent).toBe(TEMPLATE_AUTHOR);
    expect(eventsOfType(events, "fallback").map((e) => `${e.from}->${e.to}@${e.rung}`)).toEqual([
      "billing->general@1",
      `general->${TEMPLATE_AUTHOR}@2`,
    ]);
  });

  it("escalates to a person (fallback_to_human) when the template declines", async () => {
    const h = setup(deskWith(ladder(() => undefined)), {
      router: [down, down, down],
      general: [down, down, down],
    });
    const { state, events } = await h.start("Hello?");
    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("fallback_to_human");
    expect(eventsOfType(events, "fallback").map((e) => `${e.from}->${e.to}@${e.rung}`)).toEqual([
      "router->general@1",
      "general->human@3",
    ]);
  });

  it("lets agents that no rung agent could stand in for skip to the template", async () => {
    const h = setup(deskWith({ ...ladder(), skipAgentRungs: ["router"] }), {
      router: [down, down, down],
    });
    const { state, events } = await h.start("Hello?");
    expect(state.output).toEqual(templateReply);
    expect(eventsOfType(events, "fallback")).toMatchObject([
      { from: "router", to: TEMPLATE_AUTHOR, rung: 2 },
    ]);
  });

  it("without a ladder, exhausted retries escalate as retries_exhausted and an open breaker as fallback_to_human", async () => {
    const exhausted = setup(deskWith(), { router: [down, down, down] });
    expect((await exhausted.start("Hi")).state.escalation?.reason).toBe("retries_exhausted");
    const open = setup(deskWith(), {});
    await open.breakers.apply("model:fast", { type: "force_open" }, open.clock.now());
    const { state } = await open.start("Hi");
    expect(state.escalation).toMatchObject({
      reason: "fallback_to_human",
      detail: expect.stringContaining("model:fast") as unknown,
    });
    expect(open.model.calls).toHaveLength(0);
  });

  it("rejects a ladder rung that is not an agent of the chain", () => {
    expect(() => deskWith({ rungs: [{ kind: "agent", agent: "nobody" }] })).toThrow(
      ConfigurationError,
    );
  });
});
