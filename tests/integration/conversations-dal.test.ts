import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import {
  getConversationDetail,
  listConversations,
  type ConversationStatus,
} from "@/lib/dal/conversations";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { createOneUserPerRole, testDb, setupTestDatabase, type TestUser } from "../helpers/db";
import { insertEvents } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

/** A tag unique to this file, used as customer id prefix so searches see only our rows. */
const tag = `cust-${newId("t").slice(-8)}`;
const base = Date.UTC(2031, 0, 1, 12, 0, 0);

interface Seeded {
  id: string;
  status: ConversationStatus;
  createdAt: Date;
  /** Microseconds past createdAt's millisecond, which a JS Date cannot hold. */
  micros?: number;
}

async function insertConversation(opts: {
  status: ConversationStatus;
  createdAt: Date;
  customerId?: string | null;
  messages?: string[];
}): Promise<Seeded> {
  const id = newId("cnv", opts.createdAt.getTime());
  await testDb()
    .insert(schema.conversations)
    .values({
      id,
      status: opts.status,
      chain: "support",
      customerId: opts.customerId ?? null,
      metadata: { source: "test" },
      createdAt: opts.createdAt,
      updatedAt: opts.createdAt,
    });
  const texts = opts.messages ?? [];
  if (texts.length) {
    await testDb()
      .insert(schema.messages)
      .values(
        texts.map((content, i) => ({
          id: newId("msg"),
          conversationId: id,
          role: i % 2 === 0 ? ("customer" as const) : ("agent" as const),
          author: i % 2 === 0 ? null : "triage",
          content,
          createdAt: new Date(opts.createdAt.getTime() + (i + 1) * 1000),
        })),
      );
  }
  return { id, status: opts.status, createdAt: opts.createdAt };
}

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
const seeded: Seeded[] = [];
const statuses: ConversationStatus[] = ["running", "waiting_for_customer", "escalated", "resolved", "failed"];

beforeAll(async () => {
  users = await createOneUserPerRole();
  // 25 conversations; three share one timestamp, so pagination must break ties on id.
  for (let i = 0; i < 25; i++) {
    const createdAt = new Date(base + (i < 3 ? 0 : i) * 60_000);
    seeded.push(
      await insertConversation({
        status: statuses[i % statuses.length]!,
        createdAt,
        customerId: `${tag}-${String(i).padStart(2, "0")}`,
        messages: [`hello ${i}`, `answer ${i}`, `last message of ${i}`],
      }),
    );
  }
  // Two rows within the same millisecond as the tied ones, apart only in microseconds.
  for (const [micros, suffix] of [["000400", "micro"], ["000200", "micro2"]] as const) {
    const id = newId("cnv", base);
    await testDb().execute(
      sql.raw(`insert into conversations (id, status, chain, customer_id, created_at, updated_at)
       values ('${id}', 'running', 'support', '${tag}-${suffix}', '2031-01-01T12:00:00.${micros}Z', now())`),
    );
    seeded.push({ id, status: "running", createdAt: new Date(base), micros: Number(micros) });
  }
});

const ours = (rows: { customerId: string | null }[]) => rows.filter((r) => r.customerId?.startsWith(tag));

describe("listConversations", () => {
  it("lists newest first and pages by cursor without duplicates or gaps", async () => {
    signInAs(users.support_lead.id);
    // Expected order: created_at desc (to the microsecond), then id desc.
    const expected = [...seeded]
      .sort(
        (a, b) =>
          b.createdAt.getTime() - a.createdAt.getTime() ||
          (b.micros ?? 0) - (a.micros ?? 0) ||
          (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      )
      .map((s) => s.id);
    // Limit 1 ends a page on every row, so each row's cursor is exercised.
    for (const limit of [1, 4, 7]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof listConversations>> = await listConversations({ cursor, q: tag, limit });
        expect(page.rows.length).toBeLessThanOrEqual(limit);
        seen.push(...page.rows.map((r) => r.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(seen).toEqual(expected);
    }
  });

  it("returns the columns the list shows, with counts and the last message", async () => {
    signInAs(users.engineer.id);
    const page = await listConversations({ q: `${tag}-24`, limit: 10 });
    expect(page.rows).toHaveLength(1);
    const row = page.rows[0]!;
    expect(row).toEqual({
      id: seeded[24]!.id,
      status: statuses[24 % 5],
      chain: "support",
      customerId: `${tag}-24`,
      messageCount: 3,
      lastMessagePreview: "last message of 24",
      createdAt: seeded[24]!.createdAt.toISOString(),
      updatedAt: seeded[24]!.createdAt.toISOString(),
    });
    expect(page.nextCursor).toBeNull();
    const micro = await listConversations({ q: `${tag}-micro` });
    expect(micro.rows[0]).toMatchObject({ messageCount: 0, lastMessagePreview: null });
  });

  it("filters by status, keeping the order", async () => {
    signInAs(users.admin.id);
    const page = await listConversations({ status: "escalated", q: tag, limit: 100 });
    const expected = seeded.filter((s) => s.status === "escalated").map((s) => s.id).sort().reverse();
    expect(page.rows.map((r) => r.status)).toEqual(expected.map(() => "escalated"));
    expect(page.rows.map((r) => r.id)).toEqual(expected);
  });

  it("searches by conversation id prefix or customer id prefix, treating wildcards literally", async () => {
    signInAs(users.support_lead.id);
    const byId = await listConversations({ q: seeded[7]!.id });
    expect(byId.rows.map((r) => r.id)).toEqual([seeded[7]!.id]);
    const byCustomer = await listConversations({ q: `${tag}-1`, limit: 100 });
    expect(byCustomer.rows.map((r) => r.customerId).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `${tag}-1${i}`),
    );
    expect((await listConversations({ q: "%" })).rows).toEqual([]);
    expect((await listConversations({ q: `${tag.slice(0, 4)}_` })).rows).toEqual([]);
  });

  it("truncates the preview to 140 characters and flattens whitespace", async () => {
    signInAs(users.engineer.id);
    const long = `${"word ".repeat(30)}\n\n${"é".repeat(300)}`;
    const conv = await insertConversation({
      status: "running",
      createdAt: new Date(base - 86_400_000),
      customerId: `${tag}-long`,
      messages: ["first", long],
    });
    const page = await listConversations({ q: `${tag}-long` });
    const preview = page.rows[0]!.lastMessagePreview!;
    expect(page.rows[0]!.id).toBe(conv.id);
    expect(Array.from(preview)).toHaveLength(140);
    expect(preview.endsWith("…")).toBe(true);
    expect(preview).not.toMatch(/\n|\s{2}/);
    expect(preview.startsWith("word word")).toBe(true);
  });

  it("ignores a malformed cursor instead of failing", async () => {
    signInAs(users.engineer.id);
    const first = await listConversations({ q: tag, limit: 3 });
    for (const bad of ["garbage", Buffer.from("2031-02-31T00:00:00.000000Z|x").toString("base64url"), "%%%"]) {
      const page = await listConversations({ q: tag, limit: 3, cursor: bad });
      expect(page.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    }
  });

  it("needs a signed-in user; every role may read", async () => {
    signInAs(null);
    await expect(listConversations({})).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === "unauthorized",
    );
    await expect(getConversationDetail(seeded[0]!.id)).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === "unauthorized",
    );
    for (const user of Object.values(users)) {
      signInAs(user.id);
      const rows = ours((await listConversations({ q: tag, limit: 100 })).rows);
      expect(rows.length).toBeGreaterThanOrEqual(seeded.length);
      expect(await getConversationDetail(seeded[0]!.id)).not.toBeNull();
    }
  });
});

describe("getConversationDetail", () => {
  it("returns messages, runs and events in order with summaries", async () => {
    signInAs(users.support_lead.id);
    const at = new Date(base + 3_600_000);
    const conv = await insertConversation({ status: "escalated", createdAt: at, customerId: `${tag}-detail` });
    const runId = newId("run");
    await testDb()
      .insert(schema.runs)
      .values({
        id: runId,
        conversationId: conv.id,
        chain: "support",
        status: "completed",
        seq: 4,
        checkpoint: {},
        traceId: "0af7651916cd43dd8448eb211c80319c",
        createdAt: at,
      });
    const t = (s: number) => new Date(at.getTime() + s * 1000);
    // Inserted out of order on purpose: the DAL must order by seq. (jsonb stores keys shortest first.)
    await insertEvents([
        { runId, seq: 3, type: "tool_call", agent: "billing", agentVersion: 2, at: t(3), data: { threadId: "t2", key: "k", tool: "refund", input: { orderId: "ord_1234567890", amount: 25 }, output: { ok: true, output: { refunded: true } }, startedAt: 1000, finishedAt: 1180, replayed: false } },
        { runId, seq: 1, type: "llm_call", agent: "triage", agentVersion: 1, at: t(1), data: { threadId: "t1", attempt: 1, tier: "fast", model: null, usage: { inputTokens: 120, outputTokens: 45 }, latencyMs: 230, finish: "output" } },
        { runId, seq: 4, type: "escalated", agent: null, agentVersion: null, at: t(4), data: { reason: "max_handoffs" } },
        { runId, seq: 2, type: "handoff", agent: "triage", agentVersion: 1, at: t(2), data: { threadId: "t1", from: "triage", to: "billing", toThreadId: "t2", context: "refund" } },
    ]);
    await testDb()
      .insert(schema.messages)
      .values([
        { id: newId("msg"), conversationId: conv.id, role: "agent", author: "billing", runId, content: "<b>Refunded</b>", createdAt: t(5) },
        { id: newId("msg"), conversationId: conv.id, role: "customer", author: null, runId, content: "I want a refund", createdAt: t(0) },
        { id: newId("msg"), conversationId: conv.id, role: "human", author: users.support_lead.id, runId: null, content: "Taking over", createdAt: t(6) },
      ]);

    const detail = await getConversationDetail(conv.id);
    expect(detail).toMatchObject({
      id: conv.id,
      status: "escalated",
      chain: "support",
      customerId: `${tag}-detail`,
      metadata: { source: "test" },
      messagesTruncated: false,
      runsTruncated: false,
    });
    expect(detail!.messages.map((m) => [m.role, m.author, m.content])).toEqual([
      ["customer", null, "I want a refund"],
      ["agent", "billing", "<b>Refunded</b>"],
      ["human", "Test support_lead", "Taking over"],
    ]);
    expect(detail!.runs).toHaveLength(1);
    const run = detail!.runs[0]!;
    expect(run).toMatchObject({ id: runId, status: "completed", traceId: "0af7651916cd43dd8448eb211c80319c", eventsTruncated: false });
    expect(run.events.map((e) => [e.seq, e.type, e.agent, e.agentVersion])).toEqual([
      [1, "llm_call", "triage", 1],
      [2, "handoff", "triage", 1],
      [3, "tool_call", "billing", 2],
      [4, "escalated", null, null],
    ]);
    expect(run.events.map((e) => e.summary)).toEqual([
      "llm_call fast · 120+45 tokens · 230 ms",
      "handoff triage → billing",
      'tool_call refund {"amount":25,"orderId":"ord_1234567890"} → ok · 180 ms',
      "escalated · max_handoffs",
    ]);
    expect(run.events[0]!.at).toBe(t(1).toISOString());
    expect(run.events[2]!.data).toMatchObject({ tool: "refund", input: { orderId: "ord_1234567890" } });
  });

  it("bounds runs and events per run, and says so", async () => {
    signInAs(users.engineer.id);
    const at = new Date(base + 7_200_000);
    const conv = await insertConversation({ status: "running", createdAt: at, customerId: `${tag}-big` });
    const runIds = Array.from({ length: 21 }, (_, i) => newId("run", at.getTime() + i));
    await testDb()
      .insert(schema.runs)
      .values(
        runIds.map((id, i) => ({
          id,
          conversationId: conv.id,
          chain: "support",
          status: "completed",
          seq: 0,
          checkpoint: {},
          traceId: `trace${i}`,
          createdAt: new Date(at.getTime() + i * 1000),
        })),
      );
    const lastRun = runIds.at(-1)!;
    await insertEvents(
      Array.from({ length: 501 }, (_, i) => ({
        runId: lastRun,
        seq: i + 1,
        type: "step_started",
        agent: null,
        agentVersion: null,
        at: at,
        data: { step: i, threads: ["t1"] },
      })),
    );
    const detail = await getConversationDetail(conv.id);
    expect(detail!.runsTruncated).toBe(true);
    expect(detail!.runs.map((r) => r.id)).toEqual(runIds.slice(1));
    const last = detail!.runs.at(-1)!;
    expect(last.eventsTruncated).toBe(true);
    expect(last.events).toHaveLength(500);
    expect(last.events.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(detail!.runs[0]!.events).toEqual([]);
  });

  it("returns null for an unknown id", async () => {
    signInAs(users.engineer.id);
    expect(await getConversationDetail("cnv_doesnotexist")).toBeNull();
    expect(await getConversationDetail("")).toBeNull();
  });
});
