import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import {
  agentDailyScope,
  apiKeyDailyScope,
  chainBudgetScope,
  DEFAULT_CONVERSATION_SCOPE,
  GLOBAL_DAILY_SCOPE,
} from "@/lib/costs/scopes";
import { getBudgetOverview } from "@/lib/dal/budget-overview";
import { newId } from "@/lib/ids";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import type { PriceBook } from "@/lib/costs/price-book";
import { pricedParts } from "../helpers/costs";
import { createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { recordQueries } from "../helpers/query-counter";
import { settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

let parts: RuntimeParts;
let pricing: PriceBook;
let worker: ReturnType<typeof testWorker>;
const keys: string[] = [];

beforeAll(async () => {
  signInAs((await createTestUser("engineer")).id);
  ({ parts, pricing } = await pricedParts());
  worker = testWorker(parts);
  await worker.start();
  for (let i = 0; i < 3; i++) {
    const id = newId("key");
    await testDb().insert(schema.apiKeys).values({ id, name: `key ${i}`, prefix: `sy_${i}`, keyHash: `hash-${id}` });
    keys.push(id);
  }
  // Spend under each key (two conversations on the first) and one from the console.
  const messages = ["How do I reset my password?", "My sync failed with an error", "What does the premium plan cost?"];
  const started = await Promise.all(
    [keys[0]!, keys[0]!, keys[1]!, keys[2]!, null].map((apiKeyId, i) =>
      startConversation(testDb(), { message: messages[i % messages.length]!, apiKeyId }, parts),
    ),
  );
  for (const { id } of started) await settledConversation(id);
  // Worker polls stop before counting: nothing else may query while statements are recorded.
  await worker.stop();
});
afterAll(() => pricing.stop());

async function setBudgets(scopes: readonly string[]) {
  await testDb().delete(schema.budgets);
  await testDb()
    .insert(schema.budgets)
    .values(scopes.map((scope, i) => ({ scope, limitUsd: 1 + i })));
}

/** A few budgets of every kind, then twenty: the page's statements must not grow with them. */
function budgetsOfEveryKind(extra: number): string[] {
  const scopes = [
    GLOBAL_DAILY_SCOPE,
    DEFAULT_CONVERSATION_SCOPE,
    chainBudgetScope("support"),
    agentDailyScope("triage"),
    ...keys.map(apiKeyDailyScope),
  ];
  for (let i = 0; i < extra; i++) {
    scopes.push(i % 2 ? apiKeyDailyScope(`key_unused_${i}`) : chainBudgetScope(`chain_${i}`));
  }
  return scopes;
}

/** What each budget has spent, computed from the raw rows in a different way than the page does. */
async function expectedSpend() {
  const today = new Date().toISOString().slice(0, 10);
  const spans = await testDb().execute<{ cost: number; agent: string | null; api_key_id: string | null; started_at: string }>(
    sql`select s.cost_usd::float8 as cost, s.agent, c.api_key_id, s.started_at::text as started_at
      from llm_calls s join runs r on r.id = s.run_id join conversations c on c.id = r.conversation_id
      where s.started_at >= ${`${today}T00:00:00Z`}::timestamptz`,
  );
  const perConversation = await testDb().execute<{ chain: string; total: number }>(
    sql`select c.chain, sum(r.cost_usd)::float8 as total from runs r join conversations c on c.id = r.conversation_id
      where c.created_at >= now() - interval '24 hours' group by c.id, c.chain`,
  );
  const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows);
  const spanRows = rowsOf<{ cost: number; agent: string | null; api_key_id: string | null }>(spans);
  const convRows = rowsOf<{ chain: string; total: number }>(perConversation);
  const sum = (rows: { cost: number }[]) => rows.reduce((s, r) => s + Number(r.cost), 0);
  const max = (rows: { total: number }[]) => rows.reduce((m, r) => Math.max(m, Number(r.total)), 0);
  return (scope: string): number => {
    if (scope === GLOBAL_DAILY_SCOPE) return sum(spanRows);
    if (scope === DEFAULT_CONVERSATION_SCOPE) return max(convRows);
    if (scope.startsWith("daily:agent:")) return sum(spanRows.filter((r) => r.agent === scope.slice(12)));
    if (scope.startsWith("daily:api_key:")) return sum(spanRows.filter((r) => r.api_key_id === scope.slice(14)));
    return max(convRows.filter((r) => r.chain === scope.slice("conversation:chain:".length)));
  };
}

describe("budgets page", () => {
  it("reads every budget's spend in a fixed number of statements, however many budgets exist", async () => {
    await setBudgets([GLOBAL_DAILY_SCOPE]);
    const one = await recordQueries(() => getBudgetOverview());

    const few = budgetsOfEveryKind(0);
    await setBudgets(few);
    const ofEveryKind = await recordQueries(() => getBudgetOverview());

    const many = budgetsOfEveryKind(20 - few.length);
    expect(many).toHaveLength(20);
    await setBudgets(many);
    const twenty = await recordQueries(() => getBudgetOverview());

    console.info(
      `budgets page statements: 1 budget ${one.queries.length}, ${few.length} budgets ${ofEveryKind.queries.length}, 20 budgets ${twenty.queries.length}`,
    );
    expect(twenty.result.budgets).toHaveLength(20);
    expect(twenty.queries.length).toBe(ofEveryKind.queries.length);
    // The session lookup, four aggregates, and one each for the API-key and conversation budgets.
    expect(twenty.queries.length).toBeLessThanOrEqual(one.queries.length + 2);
  });

  it("shows the same spend per budget as summing the raw spans and runs", async () => {
    const scopes = budgetsOfEveryKind(2);
    await setBudgets(scopes);
    const expected = await expectedSpend();
    const { budgets } = await getBudgetOverview();
    expect(budgets.map((b) => b.scope).sort()).toEqual([...scopes].sort());
    for (const b of budgets) expect(b.spentUsd, b.scope).toBeCloseTo(expected(b.scope), 12);
    // The fixture spends under every key and conversation budget it sets, so zeros prove nothing.
    for (const scope of [DEFAULT_CONVERSATION_SCOPE, chainBudgetScope("support"), ...keys.map(apiKeyDailyScope)]) {
      expect(expected(scope), scope).toBeGreaterThan(0);
    }
    expect(budgets.find((b) => b.scope === chainBudgetScope("chain_0"))?.spentUsd).toBe(0);
  });
});
