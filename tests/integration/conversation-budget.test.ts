import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { removeBudgetAction, setBudgetAction } from "@/app/(console)/budgets/actions";
import { postCustomerMessage, startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { conversationBudgetOf } from "@/lib/costs/conversation-budget";
import type { PriceBook } from "@/lib/costs/price-book";
import { getBudgetOverview } from "@/lib/dal/budget-overview";
import { supportChain } from "@/lib/agents/support-team";
import { withoutRouting } from "@/scripts/bench/context/economy";
import { pricedParts } from "../helpers/costs";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { traceSpansOf } from "../helpers/traces";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
let parts: RuntimeParts;
let pricing: PriceBook;
let worker: ReturnType<typeof testWorker>;

beforeAll(async () => {
  users = await createOneUserPerRole();
  // The call positions below assume every specialist runs on its own tier: no model routing.
  ({ parts, pricing } = await pricedParts({ chain: withoutRouting(supportChain) }));
  worker = testWorker(parts);
  await worker.start();
});
afterAll(async () => {
  pricing.stop();
  await worker.stop();
});

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

const question = "I cannot sign in, how do I reset my password?";

async function converse() {
  const { id } = await startConversation(testDb(), { message: question, apiKeyId: null }, parts);
  const conversation = await settledConversation(id);
  const [run] = await runsOf(id);
  const events = await eventsOf(run!.id);
  const { all: spans } = await traceSpansOf(run!.id);
  return { conversation, run: run!, events, spans };
}

const budgetRow = async (scope: string) =>
  (await testDb().select().from(schema.budgets).where(eq(schema.budgets.scope, scope)))[0];
const budgetAudits = (actorId: string) =>
  testDb()
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.actorId, actorId), eq(schema.auditLog.targetType, "budget")));

describe("conversation budget (acceptance 1)", () => {
  it("downgrades at 80%, stops at 100% with its best answer, and overspends by at most one call", async () => {
    const free = await converse();
    const costs = free.events.filter((e) => e.type === "llm_call").map((e) => (e.data as { costUsd: number }).costUsd);
    expect(costs.length).toBeGreaterThanOrEqual(3);
    // The first two calls (triage, then the specialist on the standard tier) use 95% of this limit,
    // so the third runs a tier down and reaches it.
    const limitUsd = (costs[0]! + costs[1]!) / 0.95;
    signInAs(users.admin.id);
    expect(await setBudgetAction(null, form({ scope: "conversation:chain:support", limitUsd: String(limitUsd) }))).toMatchObject({ ok: true });

    const capped = await converse();
    const calls = capped.events.filter((e) => e.type === "llm_call").map((e) => e.data as Record<string, unknown>);
    expect(calls[2]).toMatchObject({ tier: "fast", downgradedFrom: "standard" });
    const types = capped.events.map((e) => e.type);
    expect(types).toContain("budget_downgraded");
    expect(types.at(-2)).toBe("budget_exhausted");
    expect(capped.events.at(-1)).toMatchObject({ type: "completed", data: { partial: true, bound: "cost_budget" } });
    // The customer got the best answer the agents had.
    expect(capped.conversation.status).toBe("waiting_for_customer");

    // The trace says so: a guardrail span for each, and the downgraded call carries its original tier.
    const guardrails = capped.spans.filter((s) => s.kind === "guardrail").sort((a, b) => a.ingestId - b.ingestId);
    expect(guardrails.map((s) => s.name)).toEqual([
      "budget 80% used: cheaper tier",
      "conversation budget exhausted",
    ]);
    const downgraded = capped.spans.find((s) => s.kind === "llm" && s.tier === "fast" && s.agent === "technical");
    expect(downgraded?.attributes).toMatchObject({ "switchyard.tier.downgraded_from": "standard" });

    // Recorded spend: every call was admitted below the limit, so only the last one can cross it
    // (by less than its cost, which its reserved bound covers).
    const spent = calls.map((c) => c.costUsd as number);
    expect(spent.slice(0, -1).reduce((a, b) => a + b, 0)).toBeLessThan(limitUsd);
    expect(capped.run.costUsd).toBeCloseTo(spent.reduce((a, b) => a + b, 0), 12);
    expect(capped.run.costUsd).toBeGreaterThanOrEqual(limitUsd);
    expect(capped.run.costUsd - limitUsd).toBeLessThanOrEqual(spent.at(-1)!);
    expect(capped.run.costUsd).toBeLessThan(free.run.costUsd);
  });

  it("covers the whole conversation: a later turn starts with what earlier turns spent", async () => {
    signInAs(users.admin.id);
    await removeBudgetAction(null, form({ scope: "conversation:chain:support" }));
    const first = await converse();
    // Exactly what the first turn spent: the next turn has nothing left.
    await setBudgetAction(null, form({ scope: "conversation:default", limitUsd: String(first.run.costUsd) }));
    await postCustomerMessage(testDb(), first.conversation.id, "Thanks! And how do I change my email?", { apiKeyId: null }, parts);
    const second = await settledConversation(first.conversation.id);
    const [, run] = await runsOf(first.conversation.id);
    const events = await eventsOf(run!.id);
    expect(second.status).toBe("escalated");
    expect(events.filter((e) => e.type === "llm_call")).toHaveLength(0);
    expect(events.find((e) => e.type === "budget_exhausted")?.data).toMatchObject({ scope: "conversation", outcome: "escalated" });
    await removeBudgetAction(null, form({ scope: "conversation:default" }));
  });

  it("counts what turns that are still running have spent so far, though their run rows lag", async () => {
    const first = await converse();
    const spent = first.run.costUsd;
    expect(spent).toBeGreaterThan(0);
    const scope = `conversation:chain:${first.run.chain}`;
    signInAs(users.admin.id);
    await setBudgetAction(null, form({ scope, limitUsd: "5" }));
    const turnSpend = async () => (await conversationBudgetOf(testDb(), first.conversation.id, first.run.chain)).spentUsd;
    const chainSpend = async () => {
      signInAs(users.engineer.id);
      return (await getBudgetOverview()).budgets.find((b) => b.scope === scope)!.spentUsd;
    };
    expect(await turnSpend()).toBeCloseTo(spent, 10);
    const settledChainSpend = await chainSpend();
    expect(settledChainSpend).toBeGreaterThanOrEqual(spent);
    // Every run as a running run's row holds it after mid-run steps that wrote no run row: the
    // LLM calls are in llm_calls, the totals only up to the last stored checkpoint. The lease
    // keeps the test's worker from claiming them meanwhile.
    const rows = await testDb().select().from(schema.runs);
    await testDb().execute(sql`update runs set status = 'running', cost_usd = 0, lease_owner = 'test',
      lease_expires_at = now() + interval '1 hour'`);
    try {
      expect(await turnSpend()).toBeCloseTo(spent, 10);
      expect(await chainSpend()).toBeCloseTo(settledChainSpend, 10);
    } finally {
      for (const row of rows) await testDb().update(schema.runs).set(row).where(eq(schema.runs.id, row.id));
      signInAs(users.admin.id);
      await removeBudgetAction(null, form({ scope }));
    }
  });

  it("escalates with budget_exhausted when there is no answer to give", async () => {
    signInAs(users.admin.id);
    // Less than the first (triage) call costs: the run has spent it all before any answer exists.
    expect(await setBudgetAction(null, form({ scope: "conversation:chain:support", limitUsd: "0.000001" }))).toMatchObject({ ok: true });
    const broke = await converse();
    expect(broke.conversation.status).toBe("escalated");
    expect(broke.events.at(-1)).toMatchObject({ type: "escalated", data: { reason: "budget_exhausted" } });
    expect(broke.events.filter((e) => e.type === "llm_call")).toHaveLength(1);
    await removeBudgetAction(null, form({ scope: "conversation:chain:support" }));
  });
});

describe("budget changes (acceptance 5)", () => {
  it("an admin sets and changes a budget; each change is audited with before and after", async () => {
    signInAs(users.admin.id);
    expect(await setBudgetAction(null, form({ scope: "daily:agent:billing", limitUsd: "25" }))).toEqual({
      ok: true,
      data: { scope: "daily:agent:billing", limitUsd: 25 },
    });
    expect(await setBudgetAction(null, form({ scope: "daily:agent:billing", limitUsd: "12.5" }))).toMatchObject({ ok: true });
    expect(await budgetRow("daily:agent:billing")).toMatchObject({ limitUsd: 12.5, updatedBy: users.admin.id });
    const audits = (await budgetAudits(users.admin.id)).filter((a) => a.targetId === "daily:agent:billing");
    expect(audits.map((a) => [a.action, a.before, a.after])).toEqual(
      expect.arrayContaining([
        ["budget.create", null, { limitUsd: 25 }],
        ["budget.update", { limitUsd: 25 }, { limitUsd: 12.5 }],
      ]),
    );
  });

  it("refuses an engineer, a support lead and an anonymous caller; nothing changes", async () => {
    const before = await budgetRow("daily:agent:billing");
    for (const [who, code] of [
      [users.engineer.id, "forbidden"],
      [users.support_lead.id, "forbidden"],
      [null, "unauthorized"],
    ] as const) {
      signInAs(who);
      expect(await setBudgetAction(null, form({ scope: "daily:agent:billing", limitUsd: "1000" }))).toMatchObject({ ok: false, code });
      expect(await setBudgetAction(null, form({ scope: "daily:global", limitUsd: "1" }))).toMatchObject({ ok: false, code });
      expect(await removeBudgetAction(null, form({ scope: "daily:agent:billing" }))).toMatchObject({ ok: false, code });
    }
    expect(await budgetRow("daily:agent:billing")).toEqual(before);
    expect(await budgetRow("daily:global")).toBeUndefined();
    expect(await budgetAudits(users.engineer.id)).toEqual([]);
    expect(await budgetAudits(users.support_lead.id)).toEqual([]);
  });

  it("answers negative, absurd or unknown values with a form error and saves nothing", async () => {
    signInAs(users.admin.id);
    const before = await budgetRow("daily:agent:billing");
    const auditsBefore = (await budgetAudits(users.admin.id)).length;
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ scope: "daily:agent:billing", limitUsd: "-5" }, "limitUsd", /more than \$0/],
      [{ scope: "daily:agent:billing", limitUsd: "0" }, "limitUsd", /more than \$0/],
      [{ scope: "daily:agent:billing", limitUsd: "5000000" }, "limitUsd", /typo/],
      [{ scope: "conversation:default", limitUsd: "2500" }, "limitUsd", /typo/],
      [{ scope: "daily:agent:billing", limitUsd: "lots" }, "limitUsd", /amount/],
      [{ scope: "daily:agent:billing", limitUsd: "Infinity" }, "limitUsd", /amount/],
      [{ scope: "daily:agent:nobody", limitUsd: "5" }, "scope", /No such/],
      [{ scope: "weekly:global", limitUsd: "5" }, "scope", /Choose/],
    ];
    for (const [fields, field, message] of cases) {
      const result = await setBudgetAction(null, form(fields));
      expect(result, JSON.stringify(fields)).toMatchObject({ ok: false, code: "invalid" });
      const errors = result.ok ? {} : (result.fieldErrors ?? {});
      expect(Object.keys(errors), JSON.stringify(fields)).toEqual([field]);
      expect(errors[field]?.join(" ")).toMatch(message);
    }
    expect(await budgetRow("daily:agent:billing")).toEqual(before);
    expect(await budgetRow("daily:agent:nobody")).toBeUndefined();
    expect(await budgetRow("conversation:default")).toBeUndefined();
    expect(await budgetAudits(users.admin.id)).toHaveLength(auditsBefore);
  });
});

describe("budget overview", () => {
  it("shows today's spend against each budget to an engineer, and nothing to a support lead", async () => {
    signInAs(users.admin.id);
    await setBudgetAction(null, form({ scope: "daily:agent:technical", limitUsd: "0.5" }));
    const [row] = await testDb()
      .select({ cost: sql<number>`coalesce(sum(${schema.llmCalls.costUsd}), 0)` })
      .from(schema.llmCalls)
      .where(eq(schema.llmCalls.agent, "technical"));
    const technicalUsd = Number(row?.cost);
    expect(technicalUsd).toBeGreaterThan(0);

    signInAs(users.engineer.id);
    const overview = await getBudgetOverview();
    const budget = overview.budgets.find((b) => b.scope === "daily:agent:technical");
    expect(budget).toMatchObject({ kind: "daily_agent", target: "technical", limitUsd: 0.5 });
    expect(budget?.spentUsd).toBeCloseTo(technicalUsd, 12);
    expect(budget?.share).toBeCloseTo(technicalUsd / 0.5, 12);
    const today = overview.byAgent.data.at(-1)!;
    expect(today.values.technical).toBeCloseTo(technicalUsd, 12);
    expect(overview.todayUsd).toBeGreaterThanOrEqual(technicalUsd);
    expect(overview.costPerResolvedUsd).toBeGreaterThan(0);

    signInAs(users.support_lead.id);
    await expect(getBudgetOverview()).rejects.toMatchObject({ code: "forbidden" });
  });
});
