import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { MIN_REPLY_CONFIDENCE } from "@/lib/agents/support-team";
import { claimEscalation, handBackEscalation } from "@/lib/dal/escalation-actions";
import { reasonPolicy } from "@/lib/escalations/policy";
import { startConversation } from "@/lib/runs/conversations";
import { createRunLoop } from "@/lib/runs/runtime";
import { RunWorker } from "@/lib/runs/worker";
import { createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { converse, escalationsOf, inboxParts, REFUND_MESSAGE } from "../helpers/inbox";
import { runsOf, settledConversation } from "../helpers/runtime";

setupTestDatabase();

const parts = inboxParts();

/** The one inbox entry of a conversation, checked against the reason's priority and SLA. */
async function onlyEscalation(conversationId: string, reason: string) {
  const rows = await escalationsOf(conversationId);
  expect(rows).toHaveLength(1);
  const row = rows[0]!;
  expect(row).toMatchObject({ reason, status: "open", priority: reasonPolicy(reason).priority });
  const slaMs = row.slaDueAt.getTime() - row.createdAt.getTime();
  expect(Math.round(slaMs / 60_000)).toBe(reasonPolicy(reason).slaMinutes);
  const [conversation] = await testDb()
    .select({ status: schema.conversations.status })
    .from(schema.conversations)
    .where(eq(schema.conversations.id, conversationId));
  expect(conversation?.status).toBe("escalated");
  return row;
}

describe("every escalation criterion creates an inbox entry with its reason", () => {
  it("the customer asks for a person", async () => {
    const { conversationId, state } = await converse(
      parts,
      "This is the third time I'm writing about this. I want to talk to a human, please.",
    );
    expect(state.escalation?.reason).toBe("customer_request");
    const row = await onlyEscalation(conversationId, "customer_request");
    expect(row).toMatchObject({ kind: "escalated", agent: "general", priority: 1 });
    expect(row.detail).toContain("customer asked to talk to a person");
  });

  it(`confidence below the configured threshold (${MIN_REPLY_CONFIDENCE})`, async () => {
    const { conversationId } = await converse(
      parts,
      "There's a bug: exporting a report to PDF cuts off the last page.",
    );
    const row = await onlyEscalation(conversationId, "low_confidence");
    expect(row).toMatchObject({ kind: "escalated", agent: "technical" });
  });

  it("a high-impact tool call awaits approval", async () => {
    const { conversationId, runId, state } = await converse(parts, REFUND_MESSAGE);
    expect(state.status).toBe("waiting_for_human");
    const row = await onlyEscalation(conversationId, "tool_approval");
    expect(row).toMatchObject({
      kind: "tool_approval",
      agent: "billing",
      runId,
      runSeq: state.seq,
    });
    expect(row.detail).toBe('billing wants to call refund {"orderId":"ORD-7781","amount":250}');
  });

  it("agents hand the conversation back and forth", async () => {
    const { conversationId, state } = await converse(parts, "whose is this?", {
      chain: "ping_pong",
    });
    expect(state.escalation?.reason).toBe("handoff_loop");
    const row = await onlyEscalation(conversationId, "handoff_loop");
    expect(row.detail).toContain("ping_router -> ping_billing -> ping_router -> ping_billing");
  });

  it("peers keep messaging each other past the hop bound, with no reply to give", async () => {
    const { conversationId, state } = await converse(parts, "price of the desk?", { chain: "hop_mesh" });
    expect(state.escalation).toMatchObject({ reason: "max_hops", detail: "peers would take 4 hops, more than 3" });
    const row = await onlyEscalation(conversationId, "max_hops");
    expect(row).toMatchObject({ kind: "escalated", priority: 2 });
  });

  it("a chain that completes with nothing to tell the customer", async () => {
    const { conversationId, state } = await converse(parts, "anything new?", { chain: "silent_pipeline" });
    expect(state.status).toBe("completed");
    const row = await onlyEscalation(conversationId, "no_reply");
    expect(row).toMatchObject({ kind: "escalated", agent: "silent_stage", priority: 2 });
  });

  it("the wall-clock budget passes", async () => {
    const { id } = await startConversation(testDb(), { message: "slow", apiKeyId: null }, parts);
    const [run] = await runsOf(id);
    // The run's budget is the chain's; pushing its deadline into the past stands in for time passing.
    await testDb().execute(
      `update runs set checkpoint = jsonb_set(checkpoint::jsonb, '{deadlineAt}', '0') where id = '${run!.id}'`,
    );
    const state = await createRunLoop(testDb(), parts).run(run!.id);
    expect(state.escalation?.reason).toBe("wall_clock_budget");
    await onlyEscalation(id, "wall_clock_budget");
  });

  it.each(["retries_exhausted", "budget_exhausted", "fallback_to_human"] as const)(
    "%s (raised by the resilience and budget layers; driven here by a runtime double)",
    async (reason) => {
      const message = JSON.stringify({ reason, detail: `double: ${reason}` });
      const { conversationId } = await converse(parts, message, { chain: "escalate_with" });
      const row = await onlyEscalation(conversationId, reason);
      expect(row).toMatchObject({ kind: "escalated", detail: `double: ${reason}` });
    },
  );

  it("a run that answers creates no inbox entry", async () => {
    const { conversationId, state } = await converse(
      parts,
      "What are your support hours on weekends?",
    );
    expect(state.status).toBe("completed");
    expect(await escalationsOf(conversationId)).toEqual([]);
  });

  it("a run that keeps killing its workers fails, and the inbox hears of it", async () => {
    const { id: conversationId } = await startConversation(
      testDb(),
      { message: "Where is my order ORD-1234?", apiKeyId: null },
      parts,
    );
    const [run] = await runsOf(conversationId);
    // As if ten workers had claimed it and died: the next claim fails it instead of driving it.
    await testDb().update(schema.runs).set({ claims: 10 }).where(eq(schema.runs.id, run!.id));
    const worker = new RunWorker({ db: testDb(), parts, concurrency: 1, pollMs: 20, maxClaims: 10 });
    await worker.start();
    try {
      expect((await settledConversation(conversationId)).status).toBe("failed");
    } finally {
      await worker.stop();
    }
    const rows = await escalationsOf(conversationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: "escalated",
      reason: "run_failed",
      status: "open",
      priority: reasonPolicy("run_failed").priority,
      runId: run!.id,
    });
    // The run cannot continue: the data layer refuses a hand-back, not only the page.
    const lead = await createTestUser("support_lead");
    const actor = { ...lead, name: "Lead" };
    await claimEscalation(actor, rows[0]!.id);
    await expect(handBackEscalation(actor, { id: rows[0]!.id, note: "try again" }, parts)).rejects.toThrow(
      /cannot continue/,
    );
  });
});
