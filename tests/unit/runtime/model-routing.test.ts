import { describe, expect, it } from "vitest";
import { routeByComplexity } from "@/lib/agents/simulation/routing-answers";
import { clampTier, ConfigurationError, defineAgent, modelRouterAgent, pipeline, tiersIn } from "@/lib/runtime";
import { eventsOfType, harness, replySchema } from "./fixtures";

describe("tier ranges (pure)", () => {
  it.each([
    ["fast", { min: "standard", max: "strong" }, "standard"],
    ["strong", { min: "fast", max: "standard" }, "standard"],
    ["standard", { min: "fast", max: "strong" }, "standard"],
    ["fast", { min: "fast", max: "fast" }, "fast"],
  ] as const)("clamps %s into %o → %s", (tier, range, expected) => {
    expect(clampTier(tier, range)).toBe(expected);
  });

  it("lists a range's tiers cheapest first and refuses an empty range", () => {
    expect(tiersIn({ min: "fast", max: "strong" })).toEqual(["fast", "standard", "strong"]);
    expect(tiersIn({ min: "standard", max: "standard" })).toEqual(["standard"]);
    expect(() =>
      defineAgent({ name: "x", version: 1, instructions: "x", routing: { min: "strong", max: "fast" } }),
    ).toThrow(ConfigurationError);
  });
});

const answerer = defineAgent({
  name: "answerer",
  version: 1,
  instructions: "Answer.",
  modelTier: "standard",
  outputSchema: replySchema,
  tools: ["lookup_order"],
  routing: { min: "fast", max: "standard" },
});
const chain = pipeline({ name: "routed", stages: [answerer] });
const decision = (tier: string, reason: string) => ({ output: { tier, reason } });

describe("model routing in a run", () => {
  it("a fast-tier router picks the tier once per activation; the decision is recorded", async () => {
    const h = harness([chain], {
      "model-router": [decision("fast", "a short, common question")],
      answerer: [{ toolCalls: [{ name: "lookup_order", args: { orderId: "A-1" } }] }, { output: { reply: "shipped" } }],
    });
    const state = await h.loop.start("routed", "Where is order A-1?");

    expect(state.status).toBe("completed");
    expect(h.model.calls.map((c) => [c.agent, c.tier])).toEqual([
      [modelRouterAgent.name, "fast"],
      ["answerer", "fast"],
      ["answerer", "fast"], // the second turn keeps the decision: no second routing call
    ]);
    const routerCall = JSON.parse((h.model.calls[0]!.messages[0] as { content: string }).content) as Record<string, unknown>;
    expect(routerCall).toEqual({ agent: "answerer", allowed: ["fast", "standard"], request: "Where is order A-1?" });
    const events = h.store.events(state.runId);
    expect(eventsOfType(events, "model_routed")).toMatchObject([
      { agent: "answerer", tier: "fast", reason: "a short, common question", range: { min: "fast", max: "standard" }, by: "router" },
    ]);
    expect(state.threads[0]?.tier).toBe("fast");
  });

  it("keeps the router's choice inside the agent's range", async () => {
    const h = harness([chain], { "model-router": [decision("strong", "hard")], answerer: [{ output: { reply: "ok" } }] });
    await h.loop.start("routed", "A hard question");
    expect(h.model.calls.map((c) => c.tier)).toEqual(["fast", "standard"]);
  });

  it("a failed router leaves the agent on its own tier and says so", async () => {
    const h = harness([chain], { "model-router": [{ fault: "bad_request" }], answerer: [{ output: { reply: "ok" } }] });
    const state = await h.loop.start("routed", "Anything");
    expect(state.status).toBe("completed");
    expect(h.model.calls.at(-1)?.tier).toBe("standard");
    expect(eventsOfType(h.store.events(state.runId), "model_routed")).toMatchObject([{ tier: "standard", by: "fallback" }]);
  });

  it("a resumed activation does not route again", async () => {
    const h = harness([chain], {
      "model-router": [decision("fast", "easy")],
      answerer: [{ toolCalls: [{ name: "lookup_order", args: { orderId: "A-1" } }] }, { crash: "worker died" }],
    });
    const created = await h.loop.create("routed", "Where is order A-1?");
    await h.loop.step(created.runId);
    await expect(h.loop.step(created.runId)).rejects.toThrow("worker died");
    const other = h.newLoop({ answerer: [{ output: { reply: "shipped" } }] });
    const done = await other.loop.run(created.runId);
    expect(done.status).toBe("completed");
    expect(other.model.calls.map((c) => [c.agent, c.tier])).toEqual([["answerer", "fast"]]);
  });

  it("agents without a range are never routed", async () => {
    const plain = defineAgent({ name: "plain", version: 1, instructions: "Answer.", outputSchema: replySchema });
    const h = harness([pipeline({ name: "plain", stages: [plain] })], { plain: [{ output: { reply: "ok" } }] });
    const state = await h.loop.start("plain", "hi");
    expect(h.model.calls.map((c) => c.agent)).toEqual(["plain"]);
    expect(eventsOfType(h.store.events(state.runId), "model_routed")).toEqual([]);
  });
});

describe("the simulated router", () => {
  const ask = (request: string) => routeByComplexity(JSON.stringify({ agent: "billing", allowed: ["fast", "standard", "strong"], request }));
  it("sends common questions down, tool work to standard, hard cases up", () => {
    expect(ask("Where can I download last month's invoice?").tier).toBe("fast");
    expect(ask("My sync failed with an error on my laptop this morning.").tier).toBe("standard");
    expect(ask("The desk arrived broken, refund $250 on ORD-7781").tier).toBe("strong");
    expect(routeByComplexity("not json").tier).toBe("standard");
  });
});
