import { count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getConversation } from "@/app/api/v1/conversations/[id]/route";
import { POST as postMessage } from "@/app/api/v1/conversations/[id]/messages/route";
import { POST as createConversation } from "@/app/api/v1/conversations/route";
import * as schema from "@/db/schema";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { newId } from "@/lib/ids";
import { setupTestDatabase, testDb } from "../helpers/db";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

const base = "http://localhost:3000/api/v1/conversations";

async function insertKey(opts: { revoked?: boolean } = {}) {
  const key = generateApiKey();
  const id = newId("key");
  await testDb()
    .insert(schema.apiKeys)
    .values({ id, name: `test ${id}`, prefix: key.slice(0, 12), keyHash: hashApiKey(key), revokedAt: opts.revoked ? new Date() : null });
  return { id, key };
}

function post(url: string, body: unknown, key: string | null, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const create = (body: unknown, key: string | null, headers?: Record<string, string>) =>
  createConversation(post(base, body, key, headers));
const read = (id: string, key: string | null, headers: Record<string, string> = {}) =>
  getConversation(
    new Request(`${base}/${id}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } }),
    { params: Promise.resolve({ id }) },
  );
const reply = (id: string, body: unknown, key: string | null) =>
  postMessage(post(`${base}/${id}/messages`, body, key), { params: Promise.resolve({ id }) });

async function conversationCount() {
  const [row] = await testDb().select({ n: count() }).from(schema.conversations);
  return row!.n;
}

async function messageCount(conversationId: string) {
  const [row] = await testDb()
    .select({ n: count() })
    .from(schema.messages)
    .where(eq(schema.messages.conversationId, conversationId));
  return row!.n;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.message;
}

/** The service refuses a message while the agents answer; no worker runs here, so say they did. */
async function agentsAnswered(conversationId: string) {
  await testDb()
    .update(schema.conversations)
    .set({ status: "waiting_for_customer" })
    .where(eq(schema.conversations.id, conversationId));
}

let keyA: { id: string; key: string };
let keyB: { id: string; key: string };

beforeAll(async () => {
  keyA = await insertKey();
  keyB = await insertKey();
});

describe("POST /api/v1/conversations", () => {
  it("starts a conversation: 201 {id, status, traceId}, owned by the calling key", async () => {
    const res = await create({ message: "  My invoice is wrong  ", customerId: "cus_42", metadata: { plan: "pro", seats: 3 } }, keyA.key);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; status: string; traceId: string };
    expect(Object.keys(body).sort()).toEqual(["id", "status", "traceId"]);
    expect(["running", "waiting_for_customer", "escalated", "resolved", "failed"]).toContain(body.status);
    expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
    const [row] = await testDb().select().from(schema.conversations).where(eq(schema.conversations.id, body.id));
    expect(row).toMatchObject({ apiKeyId: keyA.id, customerId: "cus_42", metadata: { plan: "pro", seats: 3 } });
  });

  it("accepts a message of exactly 8000 characters and stores it trimmed", async () => {
    const res = await create({ message: ` ${"x".repeat(8000)} ` }, keyA.key);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const [msg] = await testDb().select().from(schema.messages).where(eq(schema.messages.conversationId, id));
    expect(msg!.content).toBe("x".repeat(8000));
  });

  const badBodies: [string, unknown, number, Record<string, string>?][] = [
    ["not JSON", "{message: hi", 400],
    ["an empty body", "", 400],
    ["a JSON array", [{ message: "hi" }], 400],
    ["JSON null", "null", 400],
    ["a non-JSON content type", JSON.stringify({ message: "hi" }), 400, { "content-type": "text/plain" }],
    ["no message", { customerId: "c" }, 400],
    ["a message that is not a string", { message: 42 }, 400],
    ["an empty message", { message: "" }, 400],
    ["a blank message", { message: "   \n\t " }, 400],
    ["a message over 8000 characters", { message: "x".repeat(8001) }, 400],
    ["an unknown field", { message: "hi", mesage: "typo" }, 400],
    ["a customerId that is not a string", { message: "hi", customerId: 7 }, 400],
    ["a customerId over 200 characters", { message: "hi", customerId: "c".repeat(201) }, 400],
    ["metadata that is an array", { message: "hi", metadata: ["a"] }, 400],
    ["metadata that is a string", { message: "hi", metadata: "a" }, 400],
    ["metadata with 51 keys", { message: "hi", metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, 400],
    ["metadata over 8 KB", { message: "hi", metadata: { blob: "b".repeat(8200) } }, 400],
    ["a body over 64 KB", { message: "hi", metadata: { blob: "b".repeat(70_000) } }, 413],
    // Found by the bad-input drill (tests/drills/bad-input.drill.ts): each of these was a 500 or
    // was stored altered.
    ["a message with a NUL character", { message: "hi\u0000there" }, 400],
    ["a message with an unpaired surrogate", '{"message":"hi \\ud800 there"}', 400],
    ["a customerId with a NUL character", { message: "hi", customerId: "c\u00001" }, 400],
    ["a customerId with an unpaired surrogate", '{"message":"hi","customerId":"c\\udc00"}', 400],
    ["metadata with a NUL character", { message: "hi", metadata: { note: "a\u0000b" } }, 400],
    ["metadata whose key has an unpaired surrogate", '{"message":"hi","metadata":{"\\ud800":1}}', 400],
    ["metadata nested 11 levels", { message: "hi", metadata: { a: [[[[[[[[[[1]]]]]]]]]] } }, 400],
    ["metadata nested 20,000 levels", `{"message":"hi","metadata":{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}}`, 400],
  ];

  it.each(badBodies)("refuses %s with the error object and creates nothing", async (_name, body, status, headers) => {
    const before = await conversationCount();
    await expectError(await create(body, keyA.key, headers), status, "invalid");
    expect(await conversationCount()).toBe(before);
  });

  it("refuses a streamed body over 64 KB that declares no length", async () => {
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const req = new Request(base, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${keyA.key}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const before = await conversationCount();
    await expectError(await createConversation(req), 413, "invalid");
    expect(await conversationCount()).toBe(before);
  });
});

describe("authentication", () => {
  it("answers 401 without a key, with a wrong, malformed or revoked key, on every route, changing nothing", async () => {
    const revoked = await insertKey({ revoked: true });
    const created = (await (await create({ message: "hello" }, keyA.key)).json()) as { id: string };
    await agentsAnswered(created.id);
    const before = await conversationCount();
    const messagesBefore = await messageCount(created.id);
    const wrong = generateApiKey();
    const cases: [string, Record<string, string>][] = [
      ["no header", {}],
      ["a wrong key", { authorization: `Bearer ${wrong}` }],
      ["a revoked key", { authorization: `Bearer ${revoked.key}` }],
      ["another scheme", { authorization: `Basic ${Buffer.from(`x:${keyA.key}`).toString("base64")}` }],
      ["an empty bearer", { authorization: "Bearer " }],
      ["the key without a scheme", { authorization: keyA.key }],
    ];
    for (const [, auth] of cases) {
      const headers = { "content-type": "application/json", ...auth };
      const responses = [
        await createConversation(new Request(base, { method: "POST", headers, body: JSON.stringify({ message: "hi" }) })),
        await postMessage(new Request(`${base}/${created.id}/messages`, { method: "POST", headers, body: JSON.stringify({ message: "hi" }) }), {
          params: Promise.resolve({ id: created.id }),
        }),
        await getConversation(new Request(`${base}/${created.id}`, { headers: auth }), { params: Promise.resolve({ id: created.id }) }),
      ];
      for (const res of responses) {
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        await expectError(res, 401, "unauthorized");
      }
    }
    expect(await conversationCount()).toBe(before);
    expect(await messageCount(created.id)).toBe(messagesBefore);
  });

  it("does not echo the presented key in the error", async () => {
    const wrong = generateApiKey();
    const res = await read("cnv_whatever", wrong);
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).not.toContain(wrong);
  });

  it("records when a key was last used, writing at most once a minute", async () => {
    const fresh = await insertKey();
    const lastUsed = async () =>
      (await testDb().select({ at: schema.apiKeys.lastUsedAt }).from(schema.apiKeys).where(eq(schema.apiKeys.id, fresh.id)))[0]!.at;
    expect(await lastUsed()).toBeNull();
    await read("cnv_unknown", fresh.key);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await read("cnv_unknown", fresh.key);
    expect(await lastUsed()).toEqual(first);
  });
});

describe("GET /api/v1/conversations/{id}", () => {
  it("returns 200 {id, status, messages, traceId} with contract roles", async () => {
    const started = (await (await create({ message: "  Where is my parcel?  " }, keyA.key)).json()) as { id: string; status: string; traceId: string };
    const res = await read(started.id, keyA.key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; status: string; traceId: string; messages: Record<string, unknown>[] };
    expect(Object.keys(body).sort()).toEqual(["id", "messages", "status", "traceId"]);
    expect(body).toMatchObject({ id: started.id, traceId: started.traceId });
    expect(body.messages[0]).toEqual({ role: "customer", content: "Where is my parcel?", createdAt: expect.any(String) as string });
    expect(new Date(body.messages[0]!.createdAt as string).toISOString()).toBe(body.messages[0]!.createdAt);
    for (const m of body.messages) {
      expect(["customer", "agent", "human"]).toContain(m.role);
      expect(Object.keys(m).every((k) => ["role", "agent", "content", "createdAt"].includes(k))).toBe(true);
    }
  });

  it("answers 404, not 403, for another key's conversation and for unknown or malformed ids", async () => {
    const mine = (await (await create({ message: "private" }, keyA.key)).json()) as { id: string };
    await agentsAnswered(mine.id);
    await expectError(await read(mine.id, keyB.key), 404, "not_found");
    await expectError(await read("cnv_doesnotexist", keyA.key), 404, "not_found");
    await expectError(await read("../../etc/passwd", keyA.key), 404, "not_found");
    const before = await messageCount(mine.id);
    await expectError(await reply(mine.id, { message: "not yours" }, keyB.key), 404, "not_found");
    expect(await messageCount(mine.id)).toBe(before);
    expect((await read(mine.id, keyA.key)).status).toBe(200);
  });
});

describe("POST /api/v1/conversations/{id}/messages", () => {
  it("202 {id, status} once the agents have answered; 409 while they are still answering", async () => {
    const { id } = (await (await create({ message: "first" }, keyA.key)).json()) as { id: string };
    const before = await messageCount(id);
    await expectError(await reply(id, { message: "too soon" }, keyA.key), 409, "conflict");
    expect(await messageCount(id)).toBe(before);

    await agentsAnswered(id);
    const res = await reply(id, { message: "  second  " }, keyA.key);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; status: string };
    expect(Object.keys(body).sort()).toEqual(["id", "status"]);
    expect(body.id).toBe(id);
    expect(["running", "waiting_for_customer", "escalated", "resolved", "failed"]).toContain(body.status);
    const view = (await (await read(id, keyA.key)).json()) as { messages: { role: string; content: string }[] };
    expect(view.messages.filter((m) => m.role === "customer").map((m) => m.content)).toEqual(["first", "second"]);
  });

  it("refuses bad bodies with 400 and adds nothing", async () => {
    const { id } = (await (await create({ message: "first" }, keyA.key)).json()) as { id: string };
    await agentsAnswered(id);
    const before = await messageCount(id);
    const bodies = ["nope", { message: "" }, { message: 1 }, { message: "hi", customerId: "x" }, { message: "x".repeat(8001) }];
    for (const body of [...bodies, { message: "a\u0000b" }, '{"message":"a\\udfffb"}']) {
      await expectError(await reply(id, body, keyA.key), 400, "invalid");
    }
    expect(await messageCount(id)).toBe(before);
  });
});
