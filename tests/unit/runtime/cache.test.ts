import { describe, expect, it } from "vitest";
import {
  type CachedAnswer,
  type CacheRequest,
  ConfigurationError,
  defineAgent,
  pipeline,
  type Pricing,
  type ResponseCache,
  RunLoop,
  supervisor,
} from "@/lib/runtime";
import { FakeClock, MemoryRunStore, MemoryToolLedger, ScriptedModel, type ScriptedResponse, sequentialIds } from "@/lib/runtime/testing";
import { eventsOfType, makeTools, replySchema } from "./fixtures";

/** Exact matches only, one scope: enough to see what the runtime asks of the port and when. */
class MemoryCache implements ResponseCache {
  readonly entries = new Map<string, { output: unknown; model: string; costUsd: number | null }>();
  readonly lookups: CacheRequest[] = [];
  lookup(request: CacheRequest): Promise<CachedAnswer | null> {
    this.lookups.push(request);
    const entry = this.entries.get(`${request.agent}@${request.version}:${request.input}`);
    if (!entry) return Promise.resolve(null);
    return Promise.resolve({ match: "exact", similarity: 1, output: entry.output, model: entry.model, savedUsd: entry.costUsd ?? 0, ageMs: 5 });
  }
  store(request: CacheRequest, answer: { output: unknown; model: string; costUsd: number | null }): Promise<void> {
    this.entries.set(`${request.agent}@${request.version}:${request.input}`, answer);
    return Promise.resolve();
  }
}

const pricing: Pricing = {
  priceOf: () => ({ inputPerMTok: 1_000, outputPerMTok: 0, cachedInputPerMTok: 0 }),
  modelFor: (tier) => `scripted-${tier}`,
};

const faq = defineAgent({
  name: "faq",
  version: 1,
  instructions: "Answer common questions.",
  outputSchema: replySchema,
  cache: { ttlMs: 60_000, minSimilarity: 0.9 },
});
const faqChain = pipeline({ name: "faq", stages: [faq] });
const answer = (reply: unknown): ScriptedResponse => ({ output: reply, usage: { inputTokens: 1_000, outputTokens: 0 } });

function harness(script: Record<string, ScriptedResponse[]>, cache = new MemoryCache()) {
  const model = new ScriptedModel(script, { clock: new FakeClock() });
  const store = new MemoryRunStore();
  const loop = new RunLoop({
    chains: [faqChain],
    model,
    store,
    ledger: new MemoryToolLedger(),
    tools: makeTools({ lookups: [], refunds: [] }),
    ids: sequentialIds(),
    pricing,
    cache,
  });
  return { model, loop, cache, store };
}

describe("response cache in the runtime", () => {
  it("answers the same request from the cache without calling the model, and records the saving", async () => {
    const h = harness({ faq: [answer({ reply: "We ship to Canada." })] });
    const first = await h.loop.start("faq", "Do you ship to Canada?");
    expect(first.output).toEqual({ reply: "We ship to Canada." });
    expect([...h.cache.entries.values()]).toEqual([{ output: { reply: "We ship to Canada." }, model: "scripted-standard", costUsd: 1 }]);

    const second = await h.loop.start("faq", "Do you ship to Canada?");
    expect(second.status).toBe("completed");
    expect(second.output).toEqual({ reply: "We ship to Canada." });
    expect(h.model.callsFor("faq")).toHaveLength(1);
    const events = h.store.events(second.runId);
    expect(eventsOfType(events, "cache_hit")).toMatchObject([{ agent: "faq", match: "exact", savedUsd: 1, model: "scripted-standard", output: { reply: "We ship to Canada." } }]);
    expect(eventsOfType(events, "llm_call")).toEqual([]);
    expect(second.budget?.spentUsd).toBe(0);
  });

  it("calls the model when a stored answer no longer fits the agent's schema", async () => {
    const cache = new MemoryCache();
    cache.entries.set("faq@1:hello", { output: { wrong: true }, model: "scripted-standard", costUsd: 1 });
    const h = harness({ faq: [answer({ reply: "Hi!" })] }, cache);
    const state = await h.loop.start("faq", "hello");
    expect(state.output).toEqual({ reply: "Hi!" });
    expect(h.model.callsFor("faq")).toHaveLength(1);
  });

  it("keys a handed-off thread on the request it was opened with, not the router's note", async () => {
    const desk = defineAgent({ name: "desk", version: 1, instructions: "Route.", handoffs: ["billing"] });
    const general = defineAgent({ name: "billing", version: 1, instructions: "FAQ.", outputSchema: replySchema, cache: { ttlMs: 1_000 } });
    const chain = supervisor({ name: "desk", router: desk, specialists: [general] });
    const cache = new MemoryCache();
    const model = new ScriptedModel({
      desk: [{ toolCalls: [{ name: "transfer_to_billing", args: { context: "note A" } }] }],
      billing: [answer({ reply: "Invoices are under Billing." })],
    });
    const loop = new RunLoop({ chains: [chain], model, store: new MemoryRunStore(), ledger: new MemoryToolLedger(), tools: makeTools({ lookups: [], refunds: [] }), ids: sequentialIds(), cache });
    await loop.start("desk", "Where is my invoice?");
    expect([...cache.entries.keys()]).toEqual(["billing@1:Where is my invoice?"]);
    expect(cache.lookups.map((l) => [l.agent, l.input, l.policy])).toEqual([["billing", "Where is my invoice?", { ttlMs: 1_000, minSimilarity: null }]]);
  });

  it("refuses to cache for an agent that may call a tool with side effects", () => {
    const risky = defineAgent({ name: "faq", version: 1, instructions: "x", tools: ["refund"], cache: { ttlMs: 1_000 } });
    const build = () =>
      new RunLoop({
        chains: [pipeline({ name: "faq", stages: [risky] })],
        model: new ScriptedModel({}),
        store: new MemoryRunStore(),
        ledger: new MemoryToolLedger(),
        tools: makeTools({ lookups: [], refunds: [] }),
        ids: sequentialIds(),
      });
    expect(build).toThrow(ConfigurationError);
  });

  it("validates the cache policy", () => {
    expect(() => defineAgent({ name: "a", version: 1, instructions: "x", cache: { ttlMs: 0 } })).toThrow(ConfigurationError);
    expect(() => defineAgent({ name: "a", version: 1, instructions: "x", cache: { ttlMs: 1, minSimilarity: 1.5 } })).toThrow(ConfigurationError);
  });
});
