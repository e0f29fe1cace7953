import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  claimEscalationAction,
  decideRequestAction,
  handBackEscalationAction,
  releaseEscalationAction,
  replyToCustomerAction,
  resolveEscalationAction,
} from "@/app/(console)/inbox/actions";
import { GET as getConversation } from "@/app/api/v1/conversations/[id]/route";
import * as schema from "@/db/schema";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { newId } from "@/lib/ids";
import { postCustomerMessage } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { defineTool, ToolRegistry } from "@/lib/runtime";
import { SimulatorModel } from "@/lib/providers/simulator";
import {
  auditRowsBy,
  createOneUserPerRole,
  setupTestDatabase,
  testDb,
  type TestUser,
} from "../helpers/db";
import { checkpointOf, converse, escalationsOf, REFUND_MESSAGE } from "../helpers/inbox";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

/** The support team on the simulator with a refund tool that counts its effects. */
const refunds: string[] = [];
const refundTool = supportTools.find((t) => t.name === "refund")!;
const countingRefund = defineTool({
  ...refundTool,
  argsSchema: z.object({ orderId: z.string(), amount: z.number() }),
  execute: (args, ctx) => {
    refunds.push(ctx.idempotencyKey);
    return refundTool.execute(args, ctx);
  },
});
const parts: RuntimeParts = {
  chains: [supportChain],
  tools: new ToolRegistry([...supportTools.filter((t) => t.name !== "refund"), countingRefund]),
  model: new SimulatorModel(),
};

// Three workers, as three processes would run them, all able to pick up a resumed run.
let workers: ReturnType<typeof testWorker>[] = [];
let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
let apiKey: { id: string; key: string };

beforeAll(async () => {
  // Created here, not at import: the test database exists only once setupTestDatabase() ran.
  workers = [testWorker(parts), testWorker(parts), testWorker(parts)];
  users = await createOneUserPerRole();
  const key = generateApiKey();
  apiKey = { id: newId("key"), key };
  await testDb()
    .insert(schema.apiKeys)
    .values({ id: apiKey.id, name: "inbox", prefix: key.slice(0, 12), keyHash: hashApiKey(key) });
});
// Stopped after every test: a test drives its first run in-process (`converse`), and a worker
// left running by the previous test would race it for the same run on PostgreSQL.
afterEach(() => Promise.all(workers.map((w) => w.stop())));

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

/** The customer's view through the public API. */
async function apiView(conversationId: string) {
  const res = await getConversation(
    new Request(`http://localhost/api/v1/conversations/${conversationId}`, {
      headers: { authorization: `Bearer ${apiKey.key}` },
    }),
    { params: Promise.resolve({ id: conversationId }) },
  );
  expect(res.status).toBe(200);
  return (await res.json()) as {
    status: string;
    messages: { role: string; agent?: string; content: string }[];
  };
}

/** A conversation from the API whose run escalated; claimed by the support lead. */
async function claimedEscalation(message: string) {
  const started = await converse(parts, message, { apiKeyId: apiKey.id });
  const [escalation] = await escalationsOf(started.conversationId);
  signInAs(users.support_lead.id);
  expect(await claimEscalationAction(null, form({ id: escalation!.id }))).toMatchObject({
    ok: true,
  });
  return { ...started, escalation: escalation! };
}

async function snapshot(conversationId: string, runId: string) {
  const [conversation] = await testDb()
    .select()
    .from(schema.conversations)
    .where(eq(schema.conversations.id, conversationId));
  const [run] = await runsOf(conversationId);
  const messages = await testDb()
    .select({ id: schema.messages.id })
    .from(schema.messages)
    .where(eq(schema.messages.conversationId, conversationId));
  return {
    conversation,
    runSeq: run?.seq,
    runId,
    escalations: await escalationsOf(conversationId),
    messages: messages.length,
  };
}

describe("approving a parked refund", () => {
  it("executes the refund exactly once when the approval is sent 10 times at once", async () => {
    const { conversationId, runId, escalation, state } = await claimedEscalation(REFUND_MESSAGE);
    const interruptionId = state.interruptions[0]!.id;
    const approve = form({ id: escalation.id, interruptionId, decision: "approve" });

    // Refused first: an engineer and an anonymous caller, with an otherwise valid request.
    const before = await snapshot(conversationId, runId);
    signInAs(users.engineer.id);
    expect(await decideRequestAction(null, approve)).toMatchObject({
      ok: false,
      code: "forbidden",
    });
    signInAs(null);
    expect(await decideRequestAction(null, approve)).toMatchObject({
      ok: false,
      code: "unauthorized",
    });
    expect(await snapshot(conversationId, runId)).toEqual(before);
    expect(await auditRowsBy(users.engineer.id)).toEqual([]);

    signInAs(users.support_lead.id);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => decideRequestAction(null, approve)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === "conflict")).toHaveLength(9);

    await Promise.all(workers.map((w) => w.start()));
    const settled = await settledConversation(conversationId);
    expect(settled.status).toBe("waiting_for_customer");
    expect(refunds).toEqual([`${runId}:2:0`]);
    const ledger = await testDb()
      .select()
      .from(schema.toolLedger)
      .where(eq(schema.toolLedger.runId, runId));
    expect(ledger.filter((entry) => entry.tool === "refund")).toHaveLength(1);
    const decisions = (await eventsOf(runId)).filter((e) => e.type === "human_decision");
    expect(decisions).toHaveLength(1);
    expect((await escalationsOf(conversationId))[0]).toMatchObject({ status: "handed_back" });
    const view = await apiView(conversationId);
    expect(view.messages.at(-1)).toMatchObject({ role: "agent", agent: "billing" });
    expect(view.messages.at(-1)!.content).toMatch(
      /refund of \$250 on order ORD-7781 has been issued/,
    );
    const audit = await auditRowsBy(users.support_lead.id);
    expect(audit.filter((a) => a.action === "escalation.approve")).toHaveLength(1);

    // The deciding lead follows up once the agents have answered; nobody else can.
    signInAs(users.admin.id);
    expect(await resolveEscalationAction(null, form({ id: escalation.id }))).toMatchObject({ ok: false, code: "conflict" });
    signInAs(users.support_lead.id);
    const note = "Sam from support here: the refund is on its way.";
    expect(await replyToCustomerAction(null, form({ id: escalation.id, message: note }))).toMatchObject({ ok: true });
    expect(await resolveEscalationAction(null, form({ id: escalation.id }))).toMatchObject({ ok: true });
    const resolved = await apiView(conversationId);
    expect(resolved.status).toBe("resolved");
    expect(resolved.messages.at(-1)).toMatchObject({ role: "human", content: note });
  });

  it("tells the agent about a rejection instead of refunding", async () => {
    const { conversationId, runId, escalation, state } = await claimedEscalation(
      "Please refund $300 on order ORD-5512, it never arrived.",
    );
    const before = refunds.length;
    const reject = form({
      id: escalation.id,
      interruptionId: state.interruptions[0]!.id,
      decision: "reject",
      note: "Order is still in transit; no refund yet.",
    });
    expect(await decideRequestAction(null, reject)).toMatchObject({ ok: true });
    await Promise.all(workers.map((w) => w.start()));
    await settledConversation(conversationId);

    expect(refunds).toHaveLength(before);
    const refused = (await eventsOf(runId)).find((e) => e.type === "tool_refused");
    expect(refused?.data).toMatchObject({
      reason: "rejected_by_human",
      detail: "Order is still in transit; no refund yet.",
    });
    // Billing's next call saw the refusal as its newest message (the finished thread's history
    // is in the event log, not the checkpoint).
    const events = await eventsOf(runId);
    const refusedAt = events.findIndex((e) => e.type === "tool_refused");
    const next = events.slice(refusedAt).find((e) => e.type === "llm_call" && e.agent === "billing");
    expect(next?.data).toMatchObject({ input: { last: expect.stringContaining("no refund yet") as unknown } });
  });
});

describe("the lead's other actions", () => {
  it("replies to the customer through the public API and resolves; refused callers change nothing", async () => {
    const { conversationId, runId, escalation } = await claimedEscalation(
      "This is the third time I'm writing. I want to talk to a human, please.",
    );
    const id = escalation.id;
    const before = await snapshot(conversationId, runId);
    for (const caller of [null, users.engineer.id, users.admin.id]) {
      signInAs(caller);
      // The engineer and the admin may use the inbox, but do not hold the claim.
      const reply = await replyToCustomerAction(null, form({ id, message: "probe" }));
      const resolve = await resolveEscalationAction(null, form({ id }));
      const handBack = await handBackEscalationAction(null, form({ id, note: "probe" }));
      const release = await releaseEscalationAction(null, form({ id }));
      const expected = caller === null ? "unauthorized" : "conflict";
      for (const result of [reply, resolve, handBack, release])
        expect(result).toMatchObject({ ok: false, code: expected });
    }
    expect(await snapshot(conversationId, runId)).toEqual(before);

    signInAs(users.support_lead.id);
    const reply = "Hi, I'm Sam from support. <b>I'll</b> sort this out for you today.";
    expect(await replyToCustomerAction(null, form({ id, message: reply }))).toMatchObject({
      ok: true,
    });
    const view = await apiView(conversationId);
    expect(view.messages.at(-1)).toEqual(
      expect.objectContaining({ role: "human", content: reply }),
    );

    expect(await resolveEscalationAction(null, form({ id }))).toMatchObject({ ok: true });
    expect((await apiView(conversationId)).status).toBe("resolved");
    expect((await escalationsOf(conversationId))[0]).toMatchObject({
      status: "resolved",
      resolvedBy: users.support_lead.id,
    });
    const actions = (await auditRowsBy(users.support_lead.id)).filter((a) => a.targetId === id);
    expect(actions.map((a) => a.action).sort()).toEqual([
      "escalation.claim",
      "escalation.reply",
      "escalation.resolve",
    ]);
  });

  it("will not resolve from a handed-back entry while the agents' newer escalation is open", async () => {
    const { conversationId, runId, escalation } = await claimedEscalation("I want to talk to a human, please.");
    const note = "Please check the order status for the customer.";
    expect(await handBackEscalationAction(null, form({ id: escalation.id, note }))).toMatchObject({ ok: true });
    // What the run's settling commit writes when the agents escalate again.
    const { seq } = await checkpointOf(runId);
    await testDb().update(schema.runs).set({ status: "escalated" }).where(eq(schema.runs.id, runId));
    await testDb().update(schema.conversations).set({ status: "escalated" }).where(eq(schema.conversations.id, conversationId));
    await testDb().insert(schema.escalations).values({
      id: newId("esc"),
      conversationId,
      runId,
      runSeq: seq + 1,
      reason: "customer_request",
      kind: "escalated",
      priority: 2,
      slaDueAt: new Date(Date.now() + 3_600_000),
    });
    const before = await snapshot(conversationId, runId);

    const refused = await resolveEscalationAction(null, form({ id: escalation.id }));
    expect(refused.ok).toBe(false);
    expect(refused.ok ? "" : refused.message).toMatch(/escalated this conversation again/);
    expect(await snapshot(conversationId, runId)).toEqual(before);
  });

  it("hands back: the same run resumes from its checkpoint and its reply reaches the customer", async () => {
    const { conversationId, runId, escalation } = await claimedEscalation(
      "I want to talk to a human, please.",
    );
    const answered = await postCustomerMessage(
      testDb(),
      conversationId,
      "Actually, I only need to download last month's invoice.",
      { apiKeyId: apiKey.id },
    );
    expect(answered.status).toBe("escalated");
    const seqBefore = (await checkpointOf(runId)).seq;

    const note = "The customer only needs the invoice download; please answer that.";
    expect(await handBackEscalationAction(null, form({ id: escalation.id, note }))).toMatchObject({
      ok: true,
    });
    await Promise.all(workers.map((w) => w.start()));
    const settled = await settledConversation(conversationId);

    expect(settled.status).toBe("waiting_for_customer");
    const runs = await runsOf(conversationId);
    expect(runs.map((r) => r.id)).toEqual([runId]);
    const state = await checkpointOf(runId);
    expect(state.status).toBe("completed");
    const events = await eventsOf(runId);
    const handedBack = events.find((e) => e.type === "handed_back");
    expect(handedBack?.seq).toBe(seqBefore + 1);
    expect(handedBack?.data).toMatchObject({ note, by: users.support_lead.email });
    expect(events.filter((e) => e.type === "run_started")).toHaveLength(1);
    const view = await apiView(conversationId);
    expect(view.messages.at(-1)).toMatchObject({ role: "agent", agent: "billing" });
    expect(view.messages.at(-1)!.content).toMatch(/Invoices are issued/);
    expect((await escalationsOf(conversationId))[0]).toMatchObject({ status: "handed_back" });
  });
});
