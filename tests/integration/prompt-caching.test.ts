import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { supportChain as routedSupportChain, supportTools } from "@/lib/agents/support-team";
import { priceBookSource, type PriceBook } from "@/lib/costs/price-book";
import { newId } from "@/lib/ids";
import { createAiSdkModel } from "@/lib/providers/ai-sdk";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { callCostUsd, ToolRegistry } from "@/lib/runtime";
import {
  type FakeProviderServer,
  reply,
  scriptByAgent,
  startFakeProviderServer,
} from "../helpers/fake-openai-server";
import { setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { traceSpansOf } from "../helpers/traces";
import { withoutRouting } from "@/scripts/bench/context/economy";

/**
 * Acceptance 4 of issue 12: the loopback OpenAI-compatible server reports cached prompt tokens
 * (`usage.prompt_tokens_details.cached_tokens`); the runtime reads them back through the AI SDK
 * and the recorded cost charges them at the price book's cached rate. Runs on PGlite and, with
 * DATABASE_URL, on PostgreSQL.
 */

setupTestDatabase();

// One scripted reply per agent: the specialists without the model router's extra call.
const supportChain = withoutRouting(routedSupportChain);

const models = { fast: "cache-test-mini", standard: "cache-test-large", strong: "cache-test-large" } as const;
// Deliberately unlike any built-in price, so the figures can only come from the table.
const prices = {
  "cache-test-mini": { inputPerMTok: 1, outputPerMTok: 4, cachedInputPerMTok: 0.25 },
  "cache-test-large": { inputPerMTok: 3, outputPerMTok: 12, cachedInputPerMTok: 0.3 },
} as const;

let server: FakeProviderServer;
let book: PriceBook;
let worker: ReturnType<typeof testWorker>;

beforeAll(async () => {
  server = await startFakeProviderServer();
  await testDb()
    .insert(schema.modelPrices)
    .values(Object.entries(prices).map(([model, p]) => ({ id: newId("prc"), model, version: 1, ...p, validFrom: new Date(0) })));
  book = priceBookSource(testDb(), { tierModels: models, ttlMs: 60_000 });
  await book.ready;
  const model = createAiSdkModel({
    provider: "openai",
    apiKey: "sk-test-loopback-0123456789",
    baseURL: server.url,
    models,
    timeoutMs: 5_000,
    structuredOutput: "native",
  });
  const parts: RuntimeParts = { chains: [supportChain], tools: new ToolRegistry(supportTools), model, pricing: book };
  worker = testWorker(parts);
  await worker.start();
});
afterAll(async () => {
  book.stop();
  await worker.stop();
  await server.close();
});

describe("provider prompt caching", () => {
  it("prices cached prompt tokens at the cached rate and records them on the trace", async () => {
    const answer = { reply: "Invoices are under Settings → Billing; each one can be downloaded there.", confidence: 0.9, citations: [] };
    server.respond(
      scriptByAgent(supportChain.agents, {
        triage: [reply.toolCall("transfer_to_billing", { context: "invoice question" }, { input: 1_200, output: 20, cached: 1_024 })],
        billing: [reply.json(answer, { input: 2_000, output: 60, cached: 1_536 })],
        reviewer: [reply.json({ approved: true, confidence: 0.9, issues: [] }, { input: 900, output: 10 })],
      }),
    );

    const { id } = await startConversation(testDb(), { message: "Where do I find my invoices?", apiKeyId: null });
    await settledConversation(id);

    expect(server.unexpected).toEqual([]);
    const [run] = await runsOf(id);
    const calls = (await eventsOf(run!.id))
      .filter((e) => e.type === "llm_call")
      .map((e) => e.data as { agent?: string; model: string; usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number }; costUsd: number });
    expect(calls.map((c) => [c.model, c.usage])).toEqual([
      ["cache-test-mini", { inputTokens: 1_200, outputTokens: 20, cachedInputTokens: 1_024 }],
      ["cache-test-large", { inputTokens: 2_000, outputTokens: 60, cachedInputTokens: 1_536 }],
      ["cache-test-mini", { inputTokens: 900, outputTokens: 10 }],
    ]);
    // (1200 − 1024) × $1 + 1024 × $0.25 + 20 × $4 per million; uncached it would be 1200 × $1 + 80.
    expect(calls[0]!.costUsd).toBeCloseTo((176 * 1 + 1_024 * 0.25 + 20 * 4) / 1e6, 12);
    expect(calls[1]!.costUsd).toBeCloseTo((464 * 3 + 1_536 * 0.3 + 60 * 12) / 1e6, 12);
    expect(calls[2]!.costUsd).toBeCloseTo((900 * 1 + 10 * 4) / 1e6, 12);
    for (const call of calls) {
      const price = prices[call.model as keyof typeof prices];
      const uncached = callCostUsd(price, { inputTokens: call.usage.inputTokens, outputTokens: call.usage.outputTokens });
      if (call.usage.cachedInputTokens) expect(call.costUsd).toBeLessThan(uncached);
      else expect(call.costUsd).toBeCloseTo(uncached, 12);
    }
    // The run's and the spans' recorded totals are the cached-rate figures.
    const total = calls.reduce((sum, c) => sum + c.costUsd, 0);
    const [row] = await testDb().select({ cost: schema.runs.costUsd }).from(schema.runs).where(eq(schema.runs.id, run!.id));
    expect(row!.cost).toBeCloseTo(total, 12);
    const { all: spans } = await traceSpansOf(run!.id);
    const llm = spans.filter((s) => s.kind === "llm");
    expect(llm.reduce((sum, s) => sum + (s.costUsd ?? 0), 0)).toBeCloseTo(total, 12);
    expect(llm.map((s) => (s.attributes as Record<string, unknown>)["gen_ai.usage.cache_read.input_tokens"] ?? null).sort()).toEqual([
      1_024,
      1_536,
      null,
    ]);
    // The calls' rows, which the routing page sums, carry the same cached tokens.
    const rows = await testDb().select().from(schema.llmCalls).where(eq(schema.llmCalls.runId, run!.id));
    expect(rows.map((c) => c.cachedInputTokens).sort()).toEqual([1_024, 1_536, null]);
  });

  it("marks the stable system prompt for Anthropic's cache and reads cache hits back", async () => {
    server.enqueue(reply.json({ approved: true, confidence: 0.9, issues: [] }, { input: 1_500, output: 12, cached: 1_280 }));
    const model = createAiSdkModel({ provider: "anthropic", apiKey: "sk-ant-test-0123456789", baseURL: server.url, timeoutMs: 5_000 });
    const reviewer = supportChain.agents.find((a) => a.name === "reviewer")!;

    const response = await model.generate({ agent: reviewer, tier: "fast", messages: [{ role: "user", content: "{}" }], tools: [], outputSchema: reviewer.outputSchema });

    const [request] = server.requests.slice(-1);
    const system = request!.body.system as Array<{ type: string; text: string; cache_control?: unknown }>;
    expect(system[0]).toMatchObject({ type: "text", cache_control: { type: "ephemeral" } });
    expect(system[0]!.text.startsWith(reviewer.instructions)).toBe(true);
    // Customer text stays out of the cached prefix: it travels in the messages after it.
    expect(JSON.stringify(system)).not.toContain('"{}"');
    expect(response.usage).toEqual({ inputTokens: 1_500, outputTokens: 12, cachedInputTokens: 1_280 });
  });
});
