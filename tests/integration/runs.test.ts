import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { getConversationView, postCustomerMessage, startConversation } from "@/lib/runs/conversations";
import { setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";

setupTestDatabase();

const parts = instantParts();
// Built in beforeAll: the database handle must be opened after setupTestDatabase chose it.
let worker: ReturnType<typeof testWorker>;
beforeAll(async () => {
  worker = testWorker(parts);
  await worker.start();
});
afterAll(() => worker.stop());

const start = (message: string) => startConversation(testDb(), { message, apiKeyId: null }, parts);

describe("conversations on the durable runtime", () => {
  it("writes the conversation, the message and the run in one go, then a worker answers", async () => {
    const { id, status, traceId } = await start("My sync failed with an error on my laptop");
    expect(status).toBe("running");
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const settled = await settledConversation(id);
    expect(settled.status).toBe("waiting_for_customer");
    const view = await getConversationView(testDb(), id, { apiKeyId: null });
    expect(view?.messages.map((m) => [m.role, m.agent])).toEqual([
      ["customer", undefined],
      ["agent", "technical"],
    ]);
    expect(view?.messages[1]?.content).toContain("kb-204");
    const [run] = await runsOf(id);
    const events = await eventsOf(run!.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["run_started", "handoff", "tool_call", "llm_call", "completed"]),
    );
    expect(run).toMatchObject({ status: "completed", leaseOwner: null, seq: events.length });
  });

  it("parks a refund above the threshold for approval without issuing it", async () => {
    const { id } = await start("Please refund $250 on order ORD-7781, it arrived broken");
    expect((await settledConversation(id)).status).toBe("escalated");
    const [run] = await runsOf(id);
    expect(run?.status).toBe("waiting_for_human");
    const ledger = await testDb().select().from(schema.toolLedger).where(eq(schema.toolLedger.runId, run!.id));
    expect(ledger.filter((l) => l.tool === "refund")).toEqual([]);
  });

  it("runs a second turn with the conversation so far, and refuses a message while the agents answer", async () => {
    const { id } = await start("How much is the premium plan price?");
    await expect(postCustomerMessage(testDb(), id, "hello?", { apiKeyId: null }, parts)).rejects.toMatchObject({
      code: "conflict",
    });
    await settledConversation(id);
    await postCustomerMessage(testDb(), id, "And how do I install the desktop app?", { apiKeyId: null }, parts);
    await settledConversation(id);
    const view = await getConversationView(testDb(), id, { apiKeyId: null });
    expect(view?.messages.map((m) => m.role)).toEqual(["customer", "agent", "customer", "customer", "agent"].filter((_, i) => i !== 2));
    expect(await runsOf(id)).toHaveLength(2);
  });

  it("hides a conversation from an API key that did not create it", async () => {
    const { id } = await start("hello there");
    expect(await getConversationView(testDb(), id, { apiKeyId: "key_someone_else" })).toBeNull();
    await expect(postCustomerMessage(testDb(), id, "x", { apiKeyId: "key_someone_else" }, parts)).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
