import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import type { LiveConversationDto } from "@/lib/query/conversations";
import { mergeLive } from "@/lib/query/conversations";
import { startConversation } from "@/lib/runs/conversations";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

// Created in beforeAll: the database (a fresh one per file on PostgreSQL) exists only from then.
let worker: ReturnType<typeof testWorker>;
let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
beforeAll(async () => {
  users = await createOneUserPerRole();
  worker = testWorker();
  await worker.start();
});
afterAll(() => worker.stop());

async function live(id: string, query = ""): Promise<Response> {
  const { GET } = await import("@/app/api/console/conversations/[id]/live/route");
  const req = new Request(`http://localhost:3000/api/console/conversations/${id}/live${query}`);
  return GET(req, { params: Promise.resolve({ id }) });
}

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

/** next/navigation's redirect() throws; its digest carries the target URL. */
async function redirectOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const digest = String((error as { digest?: string }).digest ?? "");
    const url = digest.split(";").find((part) => part.startsWith("/"));
    if (url) return url;
    throw error;
  }
  throw new Error("expected a redirect");
}

describe("playground: start a conversation on a chosen chain", () => {
  it("starts a console conversation on the chain and opens its live view", async () => {
    const { startPlaygroundConversationAction } = await import("@/app/(console)/playground/actions");
    signInAs(users.engineer.id);
    const url = await redirectOf(() =>
      startPlaygroundConversationAction(null, form({ chain: "support", message: "Please refund $40 on order ORD-1234" })),
    );
    const id = /^\/playground\?c=(cnv_[0-9a-z]{26})$/.exec(url)?.[1];
    expect(id).toBeDefined();
    const [row] = await testDb().select().from(schema.conversations).where(eq(schema.conversations.id, id!));
    expect(row).toMatchObject({ chain: "support", apiKeyId: null, customerId: `console:${users.engineer.email}` });
  });

  it("refuses an unknown chain and creates nothing", async () => {
    const { startPlaygroundConversationAction } = await import("@/app/(console)/playground/actions");
    signInAs(users.engineer.id);
    const message = `unknown chain probe ${Date.now()}`;
    const result = await startPlaygroundConversationAction(null, form({ chain: "no-such-chain", message }));
    expect(result).toMatchObject({ ok: false, code: "invalid", fieldErrors: { chain: expect.any(Array) as unknown } });
    const rows = await testDb().select().from(schema.messages).where(eq(schema.messages.content, message));
    expect(rows).toEqual([]);
  });
});

describe("GET /api/console/conversations/[id]/live", () => {
  it("answers 401 to an anonymous caller and 404 for another id", async () => {
    const { id } = await startConversation(testDb(), { message: "hello", apiKeyId: null });
    signInAs(null);
    const anonymous = await live(id);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) as unknown } });
    signInAs(users.support_lead.id);
    expect((await live("cnv_00000000000000000000000000")).status).toBe(404);
    expect((await live(id, "?afterRun=run_x")).status).toBe(400);
  });

  it("returns the steps after the cursor only, with model, tokens and latency", async () => {
    signInAs(users.engineer.id);
    const { id } = await startConversation(testDb(), {
      message: "Please refund $40 on order ORD-1234",
      apiKeyId: null,
    });
    await settledConversation(id);

    const all = (await (await live(id)).json()) as LiveConversationDto;
    expect(all.status).toBe("waiting_for_customer");
    expect(all.canReply).toBe(true);
    expect(all.messages.map((m) => m.role)).toEqual(["customer", "agent"]);
    const types = all.steps.map((s) => s.type);
    expect(types).toContain("handoff");
    expect(types).toContain("tool_call");
    expect(types.at(-1)).toBe("completed");
    const llm = all.steps.find((s) => s.type === "llm_call")!;
    expect(llm.model).toMatch(/^simulator\//);
    expect(llm.tokens?.input).toBeGreaterThan(0);
    expect(llm.latencyMs).not.toBeNull();
    expect(llm.summary).toContain("llm_call");
    expect(all.cursor).toEqual({ runId: all.runs[0]!.id, seq: all.steps.at(-1)!.seq });

    const middle = all.steps[3]!;
    const after = (await (
      await live(id, `?afterRun=${middle.runId}&afterSeq=${middle.seq}`)
    ).json()) as LiveConversationDto;
    expect(after.steps.map((s) => s.seq)).toEqual(all.steps.filter((s) => s.seq > middle.seq).map((s) => s.seq));
    const none = (await (await live(id, `?afterRun=${all.cursor!.runId}&afterSeq=${all.cursor!.seq}`)).json()) as LiveConversationDto;
    expect(none.steps).toEqual([]);
    expect(none.cursor).toEqual(all.cursor);

    // Merging pages in the client cache gives back the whole log, without repeats.
    const first = { ...all, steps: all.steps.slice(0, 4), cursor: { runId: middle.runId, seq: middle.seq } };
    expect(mergeLive(mergeLive(first, after), none).steps).toEqual(all.steps);

    // A support lead reads it too, but cannot write as the customer.
    signInAs(users.support_lead.id);
    const lead = (await (await live(id)).json()) as LiveConversationDto;
    expect(lead.steps).toHaveLength(all.steps.length);
    expect(lead.canReply).toBe(false);
  });

  it("includes later turns' steps after a cursor in an earlier turn", async () => {
    signInAs(users.engineer.id);
    const { id } = await startConversation(testDb(), { message: "How do I install the desktop app?", apiKeyId: null });
    await settledConversation(id);
    const turn1 = (await (await live(id)).json()) as LiveConversationDto;
    const { sendTestMessageAction } = await import("@/app/(console)/conversations/actions");
    expect(await sendTestMessageAction(null, form({ conversationId: id, message: "Thanks! And my sync failed" }))).toMatchObject({
      ok: true,
    });
    await settledConversation(id);
    const cursor = turn1.cursor!;
    const next = (await (await live(id, `?afterRun=${cursor.runId}&afterSeq=${cursor.seq}`)).json()) as LiveConversationDto;
    expect(next.runs).toHaveLength(2);
    expect(next.steps.length).toBeGreaterThan(0);
    expect(next.steps.every((s) => s.runId === next.runs[1]!.id)).toBe(true);
    expect(next.steps[0]!.seq).toBe(1);
  });
});
