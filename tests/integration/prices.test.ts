import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { addModelPriceAction } from "@/app/(console)/budgets/actions";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { priceBookSource, type PriceBook } from "@/lib/costs/price-book";
import { builtInPrices } from "@/lib/costs/prices";
import { listPrices } from "@/lib/dal/prices";
import { SimulatorModel } from "@/lib/providers/simulator";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { callCostUsd, ToolRegistry } from "@/lib/runtime";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
let book: PriceBook;
let parts: RuntimeParts;
let worker: ReturnType<typeof testWorker>;

const sim = { fast: "simulator/fast", standard: "simulator/standard", strong: "simulator/strong" } as const;

beforeAll(async () => {
  users = await createOneUserPerRole();
  book = priceBookSource(testDb(), { tierModels: sim, ttlMs: 60_000 });
  await book.ready;
  parts = { chains: [supportChain], tools: new ToolRegistry(supportTools), model: new SimulatorModel(), pricing: book };
  worker = testWorker(parts);
  await worker.start();
});
afterAll(async () => {
  book.stop();
  await worker.stop();
});

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

const versionsOf = (model: string) =>
  testDb().select().from(schema.modelPrices).where(eq(schema.modelPrices.model, model)).orderBy(schema.modelPrices.version);

const priceAudits = (actorId: string) =>
  testDb()
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.actorId, actorId), eq(schema.auditLog.action, "price.add_version")));

async function llmCallsOf(conversationId: string) {
  const [run] = await runsOf(conversationId);
  const events = await eventsOf(run!.id);
  return { run: run!, calls: events.filter((e) => e.type === "llm_call").map((e) => e.data as Record<string, unknown>) };
}

describe("model prices", () => {
  it("are seeded from the built-in table as version 1 when the database is migrated", async () => {
    const rows = await testDb().select().from(schema.modelPrices);
    expect(new Set(rows.map((r) => r.model))).toEqual(new Set(Object.keys(builtInPrices)));
    expect(rows.every((r) => r.version === 1 && r.createdBy === null)).toBe(true);
    const fast = rows.find((r) => r.model === "simulator/fast")!;
    expect(fast).toMatchObject({ inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 });
  });

  it("an admin adds a version; the old one is kept, the change is audited and every call is charged the new price", async () => {
    const before = await startConversation(testDb(), { message: "How do I reset my password?", apiKeyId: null });
    await settledConversation(before.id);
    const old = await llmCallsOf(before.id);

    signInAs(users.admin.id);
    const result = await addModelPriceAction(
      null,
      form({ model: "simulator/fast", inputPerMTok: "150", outputPerMTok: "600", cachedInputPerMTok: "75" }),
    );
    expect(result).toEqual({ ok: true, data: { model: "simulator/fast", version: 2 } });
    const versions = await versionsOf("simulator/fast");
    expect(versions.map((v) => [v.version, v.inputPerMTok, v.createdBy])).toEqual([
      [1, 0.15, null],
      [2, 150, users.admin.id],
    ]);
    const [audit] = await priceAudits(users.admin.id);
    expect(audit).toMatchObject({ targetType: "model_price", targetId: "simulator/fast" });
    expect(audit?.before).toMatchObject({ version: 1, inputPerMTok: 0.15 });
    expect(audit?.after).toMatchObject({ version: 2, inputPerMTok: 150, outputPerMTok: 600 });
    const listed = (await listPrices()).filter((p) => p.model === "simulator/fast");
    expect(listed.map((p) => [p.version, p.inForce])).toEqual([
      [2, true],
      [1, false],
    ]);

    // No refresh here: saving the price re-read this process's price books before it returned.
    const after = await startConversation(testDb(), { message: "How do I reset my password?", apiKeyId: null });
    await settledConversation(after.id);
    const fresh = await llmCallsOf(after.id);

    for (const [{ calls }, price] of [
      [old, builtInPrices["simulator/fast"]!],
      [fresh, { inputPerMTok: 150, outputPerMTok: 600, cachedInputPerMTok: 75 }],
    ] as const) {
      const fast = calls.filter((c) => c.model === "simulator/fast");
      expect(fast.length).toBeGreaterThan(0);
      for (const call of fast) {
        const usage = call.usage as { inputTokens: number; outputTokens: number };
        expect(usage.inputTokens).toBeGreaterThan(0);
        expect(call.costUsd).toBeCloseTo(callCostUsd(price, usage), 12);
      }
    }
    // The trace totals add up the recorded costs: the old run keeps its old price.
    for (const { run, calls } of [old, fresh]) {
      const total = calls.reduce((sum, c) => sum + ((c.costUsd as number | null) ?? 0), 0);
      const [row] = await testDb().select({ cost: schema.runs.costUsd }).from(schema.runs).where(eq(schema.runs.id, run.id));
      expect(row!.cost).toBeCloseTo(total, 12);
    }
    expect(fresh.run.costUsd).toBeGreaterThan(old.run.costUsd);
  });

  it("a saved price is in force for this process's next call at once, not after the refresh interval", async () => {
    // Another book of the same process (ttlMs 60 s): only the save's invalidation can update it.
    const other = priceBookSource(testDb(), { tierModels: sim, ttlMs: 60_000 });
    await other.ready;
    try {
      expect(other.priceOf("claude-haiku-4-5")).toEqual(builtInPrices["claude-haiku-4-5"]);
      signInAs(users.admin.id);
      const result = await addModelPriceAction(
        null,
        form({ model: "claude-haiku-4-5", inputPerMTok: "1.5", outputPerMTok: "7", cachedInputPerMTok: "0.2" }),
      );
      expect(result).toMatchObject({ ok: true });
      const fresh = { inputPerMTok: 1.5, outputPerMTok: 7, cachedInputPerMTok: 0.2 };
      expect(other.priceOf("claude-haiku-4-5")).toEqual(fresh);
      expect(book.priceOf("claude-haiku-4-5")).toEqual(fresh);
    } finally {
      other.stop();
    }
  });

  it("refuses an engineer, a support lead and an anonymous caller, and saves nothing", async () => {
    const before = await versionsOf("gpt-4.1");
    for (const [who, code] of [
      [users.engineer.id, "forbidden"],
      [users.support_lead.id, "forbidden"],
      [null, "unauthorized"],
    ] as const) {
      signInAs(who);
      const result = await addModelPriceAction(
        null,
        form({ model: "gpt-4.1", inputPerMTok: "0", outputPerMTok: "0", cachedInputPerMTok: "0" }),
      );
      expect(result).toMatchObject({ ok: false, code });
    }
    expect(await versionsOf("gpt-4.1")).toEqual(before);
    expect(await priceAudits(users.engineer.id)).toEqual([]);
  });

  it("answers negative, absurd or malformed values with a field error and saves nothing", async () => {
    signInAs(users.admin.id);
    const valid = { model: "gpt-4.1", inputPerMTok: "2", outputPerMTok: "8", cachedInputPerMTok: "0.5" };
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ ...valid, inputPerMTok: "-1" }, "inputPerMTok", /negative/],
      [{ ...valid, outputPerMTok: "80000" }, "outputPerMTok", /typo/],
      [{ ...valid, cachedInputPerMTok: "abc" }, "cachedInputPerMTok", /Enter/],
      [{ ...valid, model: "" }, "model", /model name/],
      [{ ...valid, model: "gpt 4; drop table" }, "model", /only/],
    ];
    const before = await versionsOf("gpt-4.1");
    const auditsBefore = (await priceAudits(users.admin.id)).length;
    for (const [fields, field, message] of cases) {
      const result = await addModelPriceAction(null, form(fields));
      expect(result, field).toMatchObject({ ok: false, code: "invalid" });
      const errors = result.ok ? {} : (result.fieldErrors ?? {});
      expect(Object.keys(errors), field).toEqual([field]);
      expect(errors[field]?.join(" ")).toMatch(message);
    }
    expect(await versionsOf("gpt-4.1")).toEqual(before);
    expect(await priceAudits(users.admin.id)).toHaveLength(auditsBefore);
  });
});
