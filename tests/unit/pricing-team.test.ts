import { describe, expect, it } from "vitest";
import { demoChains, demoTools } from "@/lib/agents";
import { pricingChain, priceRecommendationSchema } from "@/lib/agents/pricing-team";
import { SimulatorModel } from "@/lib/providers/simulator";
import { resilientInvoker, type RunEvent, RunLoop, ToolRegistry } from "@/lib/runtime";
import {
  FakeClock,
  MemoryBreakerStore,
  MemoryRunStore,
  MemoryToolLedger,
  sequentialIds,
} from "@/lib/runtime/testing";

/** The pricing team on the simulator, its model calls behind breakers as in the app. */
function setup() {
  const clock = new FakeClock();
  const store = new MemoryRunStore();
  const breakers = new MemoryBreakerStore();
  const loop = new RunLoop({
    chains: [pricingChain],
    model: new SimulatorModel({ seed: 7 }),
    store,
    ledger: new MemoryToolLedger(),
    tools: new ToolRegistry(demoTools()),
    ids: sequentialIds(),
    clock,
    invokeModel: resilientInvoker({ clock, breakers, sleep: () => Promise.resolve(), random: () => 0 }),
  });
  return { clock, store, breakers, loop };
}

const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) =>
  events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

describe("the pricing demo chain", () => {
  it("is registered beside the other demo teams as a hybrid", () => {
    expect(demoChains().map((c) => [c.name, c.pattern])).toContainEqual(["pricing", "hybrid"]);
  });

  it("runs the lead, the three analysts as peers, then the recommender on live market prices", async () => {
    const h = setup();
    const state = await h.loop.start("pricing", "Should we change the price of LAMP-440? It sells at $89 and is popular.");

    expect(state.status).toBe("completed");
    const answer = priceRecommendationSchema.parse(state.output);
    expect(answer).toMatchObject({ sku: "LAMP-440", currentPrice: 89, basis: "market" });
    expect(state.threads.map((t) => `${t.agent}:${t.role}`)).toEqual([
      "pricing-lead:orchestrator",
      "market:peer",
      "demand:peer",
      "margin:peer",
      "recommender:orchestrator",
    ]);
    const events = h.store.events(state.runId);
    expect(ofType(events, "tool_call").map((e) => e.tool)).toEqual(["competitor_prices"]);
    // Margin hears every signal but solves its sub-problem once; it read the shared market price.
    expect(ofType(events, "sub_problem_skipped").map((e) => e.peer)).toEqual(["margin", "margin"]);
    expect(state.mesh?.context).toMatchObject({ marketPrice: expect.any(Number) as unknown, demandIndex: 1.3 });
    const conflict = ofType(events, "conflict_resolved")[0];
    expect(conflict?.rule).toBe("majority");
    expect(conflict?.answers.map((a) => a.agent)).toEqual(["market", "demand", "margin"]);
    expect(answer.direction).toBe(conflict?.chosen?.vote);
  });

  it("falls back to historical prices when the market agent's breaker is open", async () => {
    const h = setup();
    await h.breakers.apply("agent:market", { type: "force_open" }, h.clock.now());
    const state = await h.loop.start("pricing", "Price check for TEE-220 at $25 please");

    expect(state.status).toBe("completed");
    const answer = priceRecommendationSchema.parse(state.output);
    expect(answer.basis).toBe("historical");
    expect(answer.reply).toContain("price history");
    const events = h.store.events(state.runId);
    expect(ofType(events, "fallback")).toMatchObject([
      { from: "market", to: "price-history", reason: "breaker_open" },
    ]);
    expect(ofType(events, "llm_call").some((e) => e.agent === "market")).toBe(false);
    expect(ofType(events, "tool_call").map((e) => e.tool)).toEqual(["price_history"]);
    // The stand-in answers as the market peer: its write to the market's key is accepted.
    const writes = ofType(events, "context_write").filter((w) => w.key === "marketPrice");
    expect(writes).toMatchObject([{ agent: "price-history", accepted: true }]);
  });
});
