import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { PgSpendGate, utcDay } from "@/lib/costs/spend-gate";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import type { PriceBook } from "@/lib/costs/price-book";
import type { SpendGate, SpendRequest } from "@/lib/runtime";
import { pricedParts } from "../helpers/costs";
import { setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";

setupTestDatabase();

/** One worker "process": its own gate (with its own caches) over the shared database. */
class RecordingGate implements SpendGate {
  readonly requests: SpendRequest[] = [];
  constructor(readonly inner: PgSpendGate) {}
  reserve(request: SpendRequest) {
    this.requests.push(request);
    return this.inner.reserve(request);
  }
  settle(ticket: string, actualUsd: number) {
    return this.inner.settle(ticket, actualUsd);
  }
}

interface Process {
  gate: RecordingGate;
  parts: RuntimeParts;
  pricing: PriceBook;
  worker: ReturnType<typeof testWorker>;
}

let processes: Process[] = [];

beforeAll(async () => {
  // Cheap output tokens keep a call's bound (prompt + 4,096 output tokens) near its real cost, so a
  // small budget admits several calls and the workers really compete for it.
  await testDb()
    .insert(schema.modelPrices)
    .values({ id: "prc_test_standard_v2", model: "simulator/standard", version: 2, inputPerMTok: 2.5, outputPerMTok: 0.1, cachedInputPerMTok: 1.25 });
  for (let i = 0; i < 2; i++) {
    const gate = new RecordingGate(new PgSpendGate(testDb(), { configTtlMs: 60_000 }));
    // Latency makes the two workers' calls overlap.
    const { parts, pricing } = await pricedParts({ spendGate: gate, simulator: { seed: i, latencyMs: { min: 5, max: 40 } } });
    processes.push({ gate, parts, pricing, worker: testWorker(parts) });
  }
});
afterAll(async () => {
  for (const p of processes) {
    await p.worker.stop();
    p.pricing.stop();
    p.gate.inner.stop();
  }
  processes = [];
});

async function setDailyBudget(scope: string, limitUsd: number | null) {
  if (limitUsd === null) await testDb().delete(schema.budgets).where(eq(schema.budgets.scope, scope));
  else {
    await testDb()
      .insert(schema.budgets)
      .values({ scope, limitUsd })
      .onConflictDoUpdate({ target: schema.budgets.scope, set: { limitUsd } });
  }
  await Promise.all(processes.map((p) => p.gate.inner.refresh()));
}

async function counter(scope: string) {
  const [row] = await testDb()
    .select()
    .from(schema.budgetSpend)
    .where(and(eq(schema.budgetSpend.scope, scope), eq(schema.budgetSpend.day, utcDay(Date.now()))));
  return row;
}

async function llmCostOf(agent: string): Promise<number> {
  const [row] = await testDb()
    .select({ cost: sql<number>`coalesce(sum(${schema.llmCalls.costUsd}), 0)` })
    .from(schema.llmCalls)
    .where(eq(schema.llmCalls.agent, agent));
  return Number(row?.cost ?? 0);
}

const questions = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `I cannot sign in to the app (${tag} ${i}); how do I reset my password?`);

describe("daily budgets across workers (acceptance 2)", () => {
  it("two workers spending against one daily budget overspend it by at most one call", async () => {
    const technicalBefore = await llmCostOf("technical");
    // Created mid-day: the counter starts from what today's spans already recorded.
    const limitUsd = technicalBefore + 0.004;
    await setDailyBudget("daily:agent:technical", limitUsd);
    for (const p of processes) await p.worker.start();

    const started = await Promise.all(
      questions(16, "load").map((message) => startConversation(testDb(), { message, apiKeyId: null }, processes[0]!.parts)),
    );
    await Promise.all(started.map((c) => settledConversation(c.id, 60_000)));

    const technical = processes.flatMap((p) => p.gate.requests.filter((r) => r.agent === "technical"));
    // Both processes made calls against the budget.
    for (const p of processes) expect(p.gate.requests.length).toBeGreaterThan(0);
    const largestBound = Math.max(...technical.map((r) => r.maxUsd));
    const spent = await llmCostOf("technical");
    expect(spent).toBeGreaterThan(technicalBefore);
    expect(spent - limitUsd).toBeLessThanOrEqual(largestBound);

    // The shared counter agrees with the recorded spans and holds no reservation once all settled.
    const row = await counter("daily:agent:technical");
    expect(row?.spentUsd).toBeCloseTo(spent, 9);
    expect(row?.reservedUsd).toBeCloseTo(0, 12);
    expect(await testDb().select().from(schema.budgetReservations)).toEqual([]);

    // The budget stopped conversations, and they say which budget.
    const stopped: unknown[] = [];
    for (const c of started) {
      const [run] = await runsOf(c.id);
      const exhausted = (await eventsOf(run!.id)).find((e) => e.type === "budget_exhausted");
      if (exhausted) stopped.push(exhausted.data);
    }
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped[0]).toMatchObject({ scope: "daily:agent:technical", limitUsd });

    // Nothing leaked: with every call settled, the budget admits a call exactly when room is left.
    const probe = await processes[1]!.gate.inner.reserve({ runId: "run_probe", chain: "support", agent: "technical", critical: false, maxUsd: 0 });
    expect(probe.ok).toBe(spent < limitUsd);
    if (probe.ok && probe.ticket) await processes[1]!.gate.inner.settle(probe.ticket, 0);
    await setDailyBudget("daily:agent:technical", null);
  });

  it("a hard global limit pauses non-critical agents and keeps critical ones going", async () => {
    // Already used up: every non-critical call is refused from now on.
    await setDailyBudget("daily:global", 0.000001);
    const [message] = questions(1, "paused");
    const { id } = await startConversation(testDb(), { message: message!, apiKeyId: null }, processes[0]!.parts);
    const conversation = await settledConversation(id);
    const [run] = await runsOf(id);
    const events = await eventsOf(run!.id);
    // Triage is critical and still routed the customer; the technical specialist was paused.
    expect(events.filter((e) => e.type === "llm_call").map((e) => e.agent)).toEqual(["triage"]);
    expect(events.find((e) => e.type === "budget_exhausted")?.data).toMatchObject({ scope: "daily:global", outcome: "escalated" });
    expect(conversation.status).toBe("escalated");
    expect(events.at(-1)).toMatchObject({ type: "escalated", data: { reason: "budget_exhausted" } });
    // The critical call was counted against the budget all the same.
    expect((await counter("daily:global"))?.spentUsd).toBeGreaterThan(0.000001);
    await setDailyBudget("daily:global", null);
  });

  it("checks the limits from a fresh process's very first call", async () => {
    await setDailyBudget("daily:agent:billing", 0.000001);
    await testDb()
      .insert(schema.budgetSpend)
      .values({ scope: "daily:agent:billing", day: new Date().toISOString().slice(0, 10), spentUsd: 1 })
      .onConflictDoUpdate({ target: [schema.budgetSpend.scope, schema.budgetSpend.day], set: { spentUsd: 1 } });
    const gate = new PgSpendGate(testDb(), { configTtlMs: 60_000 });
    try {
      // No refresh awaited here: a worker calls the model as soon as it has started.
      const decision = await gate.reserve({ runId: "run_first", chain: "support", agent: "billing", critical: false, maxUsd: 0.01 });
      expect(decision.ok).toBe(false);
    } finally {
      gate.stop();
      await setDailyBudget("daily:agent:billing", null);
      await testDb().delete(schema.budgetSpend).where(eq(schema.budgetSpend.scope, "daily:agent:billing"));
    }
  });

  it("releases the reservation of a call whose process died before settling", async () => {
    await setDailyBudget("daily:agent:billing", 1);
    const gate = new PgSpendGate(testDb(), { reservationTtlMs: 1, configTtlMs: 60_000 });
    try {
      await gate.refresh();
      const decision = await gate.reserve({ runId: "run_x", chain: "support", agent: "billing", critical: false, maxUsd: 0.25 });
      expect(decision.ok).toBe(true);
      expect((await counter("daily:agent:billing"))?.reservedUsd).toBeCloseTo(0.25, 12);
      await new Promise((r) => setTimeout(r, 20));
      expect(await gate.sweepExpired()).toBe(1);
      expect((await counter("daily:agent:billing"))?.reservedUsd).toBeCloseTo(0, 12);
    } finally {
      gate.stop();
      await setDailyBudget("daily:agent:billing", null);
    }
  });
});
