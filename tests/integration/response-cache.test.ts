import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { GENERAL_CACHE } from "@/lib/agents/support-team";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { PgResponseCache } from "@/lib/cache/pg-response-cache";
import { hasVectorExtension } from "@/lib/cache/vector";
import type { PriceBook } from "@/lib/costs/price-book";
import { getBudgetOverview } from "@/lib/dal/budget-overview";
import { newId } from "@/lib/ids";
import { simulatorEmbedder } from "@/lib/providers/simulator/embedding";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { cachePolicyOf, type CacheRequest } from "@/lib/runtime";
import { pricedParts } from "../helpers/costs";
import { backend, createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

let parts: RuntimeParts;
let pricing: PriceBook;
let worker: ReturnType<typeof testWorker>;
let keyA: string;
let keyB: string;

async function apiKey(name: string): Promise<string> {
  const id = newId("key");
  await testDb().insert(schema.apiKeys).values({ id, name, prefix: `sy_live_${name.slice(0, 4)}`, keyHash: hashApiKey(generateApiKey()) });
  return id;
}

beforeAll(async () => {
  ({ parts, pricing } = await pricedParts());
  parts = { ...parts, cache: new PgResponseCache(testDb(), simulatorEmbedder) };
  worker = testWorker(parts);
  await worker.start();
  keyA = await apiKey("tenant-a");
  keyB = await apiKey("tenant-b");
});
afterAll(async () => {
  pricing.stop();
  await worker.stop();
});

/** One first message through the support team; what the general agent did in that run. */
async function ask(message: string, apiKeyId: string | null) {
  const { id } = await startConversation(testDb(), { message, apiKeyId }, parts);
  const conversation = await settledConversation(id);
  const [run] = await runsOf(id);
  const events = await eventsOf(run!.id);
  const general = events.filter((e) => e.agent === "general");
  const reply = await testDb()
    .select({ content: schema.messages.content })
    .from(schema.messages)
    .where(and(eq(schema.messages.conversationId, id), eq(schema.messages.role, "agent")));
  return {
    conversation,
    runId: run!.id,
    hits: general.filter((e) => e.type === "cache_hit").map((e) => e.data as Record<string, unknown>),
    generalCalls: general.filter((e) => e.type === "llm_call").length,
    reply: reply.map((r) => r.content),
  };
}

const question = "Do you ship to Canada?";

describe("response cache (acceptance 3)", () => {
  it("answers the same question the second time from the exact cache, without a model call", async () => {
    const first = await ask(question, keyA);
    expect(first.generalCalls).toBe(1);
    expect(first.hits).toEqual([]);

    const second = await ask("  do you SHIP to canada?  ", keyA);
    expect(second.generalCalls).toBe(0);
    expect(second.hits).toEqual([expect.objectContaining({ match: "exact", similarity: 1, model: "simulator/fast" })]);
    expect(second.hits[0]!.savedUsd).toBeGreaterThan(0);
    expect(second.reply).toEqual(first.reply);
    expect(second.conversation.status).toBe(first.conversation.status);

    // The trace shows the hit as its own span with the saving; it is not an LLM call.
    const spans = await testDb().select().from(schema.spans).where(eq(schema.spans.runId, second.runId));
    const cacheSpan = spans.find((s) => s.kind === "cache");
    expect(cacheSpan).toMatchObject({ agent: "general", name: "cache hit (exact)", costUsd: null });
    expect(cacheSpan!.attributes).toMatchObject({ "switchyard.cache.hit": true, "switchyard.cache.match": "exact" });
    expect(spans.filter((s) => s.kind === "llm" && s.agent === "general")).toEqual([]);
  });

  it("answers a rewording above the similarity threshold from the semantic cache", async () => {
    const reworded = await ask("Do you guys ship to Canada?", keyA);
    expect(reworded.generalCalls).toBe(0);
    expect(reworded.hits).toEqual([expect.objectContaining({ match: "semantic" })]);
    expect(reworded.hits[0]!.similarity).toBeGreaterThanOrEqual(GENERAL_CACHE.minSimilarity);
    expect(reworded.hits[0]!.similarity).toBeLessThan(1);
  });

  it("calls the model for a different question below the threshold", async () => {
    const other = await ask("Do you ship to Mexico?", keyA);
    expect(other.hits).toEqual([]);
    expect(other.generalCalls).toBe(1);
  });

  it("never serves one API key's entries to another key or to the console", async () => {
    const tenantB = await ask(question, keyB);
    expect(tenantB.hits).toEqual([]);
    expect(tenantB.generalCalls).toBe(1);
    const console_ = await ask(question, null);
    expect(console_.hits).toEqual([]);
    expect(console_.generalCalls).toBe(1);
    // Each scope stored its own entry for the same question.
    const entries = await testDb().select().from(schema.responseCache).where(eq(schema.responseCache.agent, "general"));
    const scopes = entries.filter((e) => e.keyHash === entries.find((x) => x.scope === keyB)!.keyHash).map((e) => e.scope);
    expect(scopes.sort()).toEqual([keyA, keyB, "console"].sort());
  });

  it("counts hits per entry and the hit rate and saving on the budgets page", async () => {
    const [entry] = await testDb()
      .select()
      .from(schema.responseCache)
      .where(and(eq(schema.responseCache.scope, keyA), eq(schema.responseCache.agent, "general")))
      .orderBy(schema.responseCache.createdAt)
      .limit(1);
    expect(entry!.hits).toBe(2);
    expect(entry!.savedUsd).toBeCloseTo(2 * entry!.costUsd, 10);

    signInAs((await createTestUser("engineer")).id);
    const overview = await getBudgetOverview();
    // Lookups: A asked four times (2 hits), B once, the console once.
    expect(overview.cache).toMatchObject({ lookups: 6, hits: 2 });
    expect(overview.cache.hitRate).toBeCloseTo(2 / 6, 10);
    expect(overview.cache.savedUsd).toBeCloseTo(entry!.savedUsd, 10);
  });
});

describe("similarity search implementations", () => {
  const policy = cachePolicyOf("general", GENERAL_CACHE);

  async function lookup(vector: boolean, runId: string, input: string) {
    const cache = new PgResponseCache(testDb(), simulatorEmbedder, { vector });
    const request: CacheRequest = { runId, agent: "general", version: 1, input, policy };
    return cache.lookup(request);
  }

  it("finds the same entry with plain SQL and, where installed, with pgvector", async () => {
    const runA = (await testDb().select({ id: schema.runs.id }).from(schema.runs).innerJoin(schema.conversations, eq(schema.conversations.id, schema.runs.conversationId)).where(eq(schema.conversations.apiKeyId, keyA)).limit(1))[0]!.id;
    const plain = await lookup(false, runA, "Do you guys ship to Canada?");
    expect(plain).toMatchObject({ match: "semantic" });
    const installed = await hasVectorExtension(testDb());
    // PGlite always has it (db/client.ts); the PostgreSQL here may not.
    if (backend() === "pglite") expect(installed).toBe(true);
    if (installed) {
      const withVector = await lookup(true, runA, "Do you guys ship to Canada?");
      expect(withVector).toMatchObject({ match: "semantic", output: plain!.output });
      expect(withVector!.similarity).toBeCloseTo(plain!.similarity, 5);
    }
  });

  it("serves nothing past the TTL and nothing to a run it cannot place in a scope", async () => {
    const runB = (await testDb().select({ id: schema.runs.id }).from(schema.runs).innerJoin(schema.conversations, eq(schema.conversations.id, schema.runs.conversationId)).where(eq(schema.conversations.apiKeyId, keyB)).limit(1))[0]!.id;
    const cache = new PgResponseCache(testDb(), simulatorEmbedder);
    const short = cachePolicyOf("general", { ttlMs: 1 });
    const request: CacheRequest = { runId: runB, agent: "general", version: 1, input: "What is the warranty?", policy: short };
    await cache.store(request, { output: { reply: "Two years." }, model: "simulator/fast", costUsd: 0.001 });
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.lookup(request)).toBeNull();
    expect(await cache.lookup({ ...request, runId: "run_unknown", policy })).toBeNull();
  });
});
