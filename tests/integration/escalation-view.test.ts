import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getEscalationView } from "@/lib/dal/escalations";
import { summarizeRun } from "@/lib/escalations/summary";
import { postCustomerMessage, startConversation } from "@/lib/runs/conversations";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { checkpointOf, escalationsOf, REFUND_MESSAGE } from "../helpers/inbox";
import { recordQueries } from "../helpers/query-counter";
import { eventsOf, instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

const parts = instantParts();
let worker: ReturnType<typeof testWorker>;
let users: Record<"admin" | "engineer" | "support_lead", TestUser>;

beforeAll(async () => {
  users = await createOneUserPerRole();
  worker = testWorker(parts);
  await worker.start();
});
afterAll(() => worker.stop());

/** A conversation of `turns` answered turns, then a refund that waits for approval. */
async function escalatedAfter(turns: number) {
  const { id } = await startConversation(testDb(), { message: "How do I reset my password?", apiKeyId: null }, parts);
  await settledConversation(id);
  for (let i = 1; i < turns; i++) {
    await postCustomerMessage(testDb(), id, `And how do I install the desktop app on machine ${i}?`, { apiKeyId: null }, parts);
    await settledConversation(id);
  }
  await postCustomerMessage(testDb(), id, REFUND_MESSAGE, { apiKeyId: null }, parts);
  expect((await settledConversation(id)).status).toBe("escalated");
  const [escalation] = await escalationsOf(id);
  return { conversationId: id, escalation: escalation! };
}

const eventRows = (queries: { sql: string; rows: number }[]) =>
  queries.filter((q) => q.sql.includes('"run_events"')).reduce((n, q) => n + q.rows, 0);

describe("escalation view", () => {
  it("reads the escalated run's events only, however long the conversation's history", async () => {
    const short = await escalatedAfter(1);
    const long = await escalatedAfter(6);
    // Worker polls stop before counting: nothing else may query while statements are recorded.
    await worker.stop();
    signInAs(users.support_lead.id);
    const a = await recordQueries(() => getEscalationView(short.escalation.id));
    const b = await recordQueries(() => getEscalationView(long.escalation.id));
    await worker.start();

    const escalatedEvents = (await eventsOf(long.escalation.runId)).length;
    console.info(
      `escalation view: 2 runs ${a.queries.length} statements / ${eventRows(a.queries)} event rows; ` +
        `7 runs ${b.queries.length} statements / ${eventRows(b.queries)} event rows (escalated run: ${escalatedEvents})`,
    );
    expect(await runsOf(long.conversationId)).toHaveLength(7);
    expect(b.queries.length).toBe(a.queries.length);
    expect(eventRows(b.queries)).toBe(escalatedEvents);
    // Six answered turns and the refund request: the whole transcript is still shown.
    expect(b.result?.messages).toHaveLength(13);
  });

  it("shows the transcript, the pending refund and the escalated run's summary", async () => {
    const { conversationId, escalation } = await escalatedAfter(2);
    signInAs(users.support_lead.id);
    const view = await getEscalationView(escalation.id);
    const checkpoint = await checkpointOf(escalation.runId);
    const events = await eventsOf(escalation.runId);
    expect(view).toMatchObject({
      id: escalation.id,
      conversationId,
      conversationStatus: "escalated",
      customerId: null,
      runId: escalation.runId,
      runStatus: "waiting_for_human",
      status: "open",
      viewerMayWrite: true,
      viewerMayApprove: true,
      viewerHoldsClaim: false,
      messagesTruncated: false,
    });
    expect(view?.messages.map((m) => m.role)).toEqual(["customer", "agent", "customer", "agent", "customer"]);
    expect(view?.messages.at(-1)?.content).toBe(REFUND_MESSAGE);
    expect(view?.pending).toEqual([expect.objectContaining({ kind: "tool_approval", tool: "refund" })]);
    expect(view?.summary).toEqual(summarizeRun(events, checkpoint.threads));
    expect(view?.summary?.llmCalls).toBeGreaterThan(0);

    signInAs(users.engineer.id);
    expect(await getEscalationView(escalation.id)).toMatchObject({ viewerMayApprove: false });
    expect(await getEscalationView("esc_00000000000000000000000000")).toBeNull();
    signInAs(null);
    await expect(getEscalationView(escalation.id)).rejects.toMatchObject({ code: "unauthorized" });
  });
});
