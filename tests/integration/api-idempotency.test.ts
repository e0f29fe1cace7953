import { and, count, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postMessage } from "@/app/api/v1/conversations/[id]/messages/route";
import { POST as createConversation } from "@/app/api/v1/conversations/route";
import * as schema from "@/db/schema";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { newId } from "@/lib/ids";
import { IDEMPOTENCY_WINDOW_MS } from "@/lib/maintenance/retention";
import { setupTestDatabase, testDb } from "../helpers/db";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

const base = "http://localhost:3000/api/v1/conversations";

async function insertKey() {
  const key = generateApiKey();
  const id = newId("key");
  await testDb()
    .insert(schema.apiKeys)
    .values({ id, name: `test ${id}`, prefix: key.slice(0, 12), keyHash: hashApiKey(key) });
  return { id, key };
}

function post(url: string, body: unknown, key: string, idempotencyKey?: string): Request {
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
      ...(idempotencyKey !== undefined ? { "idempotency-key": idempotencyKey } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const create = (body: unknown, key: string, idem?: string) => createConversation(post(base, body, key, idem));
const reply = (id: string, body: unknown, key: string, idem?: string) =>
  postMessage(post(`${base}/${id}/messages`, body, key, idem), { params: Promise.resolve({ id }) });

async function conversationsOf(apiKeyId: string) {
  return testDb().select({ id: schema.conversations.id }).from(schema.conversations).where(eq(schema.conversations.apiKeyId, apiKeyId));
}

async function messageCount(conversationId: string) {
  const [row] = await testDb().select({ n: count() }).from(schema.messages).where(eq(schema.messages.conversationId, conversationId));
  return row!.n;
}

async function agentsAnswered(conversationId: string) {
  await testDb().update(schema.conversations).set({ status: "waiting_for_customer" }).where(eq(schema.conversations.id, conversationId));
}

/** Makes a stored Idempotency-Key look `ageMs` old. */
async function ageKey(apiKeyId: string, idempotencyKey: string, ageMs: number) {
  const t = schema.idempotencyKeys;
  const updated = await testDb()
    .update(t)
    .set({ createdAt: sql`now() - ${ageMs} * interval '1 millisecond'` })
    .where(and(eq(t.apiKeyId, apiKeyId), eq(t.key, idempotencyKey)))
    .returning({ key: t.key });
  expect(updated).toHaveLength(1);
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

let key: { id: string; key: string };
beforeAll(async () => {
  key = await insertKey();
});

describe("Idempotency-Key on POST /api/v1/conversations", () => {
  it("replays the first response for the same request, creating one conversation", async () => {
    const own = await insertKey();
    const first = await create({ message: "Refund please", metadata: { a: 1, b: 2 } }, own.key, "order-1");
    expect(first.status).toBe(201);
    const firstBody: unknown = await first.json();
    // Same request, different whitespace and key order: still the same request.
    const again = await create('{ "metadata": {"b":2, "a":1},\n "message": "Refund please" }', own.key, "order-1");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    expect(await conversationsOf(own.id)).toHaveLength(1);
  });

  it("10 concurrent requests with one key create exactly one conversation and all get its body", async () => {
    const own = await insertKey();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => create({ message: "Charged twice" }, own.key, "concurrent-1")),
    );
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ id: string }>));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    const rows = await conversationsOf(own.id);
    expect(rows).toEqual([{ id: bodies[0]!.id }]);
    expect(await messageCount(bodies[0]!.id)).toBe(1);
    const [runs] = await testDb().select({ n: count() }).from(schema.runs).where(eq(schema.runs.conversationId, bodies[0]!.id));
    expect(runs!.n).toBe(1);
  });

  it("answers 422 for the same key with a different body or path, changing nothing", async () => {
    const own = await insertKey();
    const first = (await (await create({ message: "one" }, own.key, "reused")).json()) as { id: string };
    const res = await create({ message: "two" }, own.key, "reused");
    expect(res.status).toBe(422);
    expect((await errorOf(res)).code).toBe("invalid");
    await agentsAnswered(first.id);
    const before = await messageCount(first.id);
    const other = await reply(first.id, { message: "one" }, own.key, "reused");
    expect(other.status).toBe(422);
    expect(await messageCount(first.id)).toBe(before);
    expect(await conversationsOf(own.id)).toHaveLength(1);
  });

  it("scopes keys per API key: two API keys may use the same Idempotency-Key", async () => {
    const [a, b] = [await insertKey(), await insertKey()];
    const ra = (await (await create({ message: "same" }, a.key, "shared")).json()) as { id: string };
    const rb = (await (await create({ message: "same" }, b.key, "shared")).json()) as { id: string };
    expect(ra.id).not.toBe(rb.id);
  });

  it.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["non-ASCII", "clé-1"],
  ])("refuses a %s Idempotency-Key with 400, creating nothing", async (_name, idem) => {
    const own = await insertKey();
    const res = await create({ message: "hello" }, own.key, idem);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid");
    expect(await conversationsOf(own.id)).toHaveLength(0);
  });

  it("accepts a 255-character key of printable ASCII", async () => {
    const own = await insertKey();
    const idem = " !~".padEnd(255, "a");
    expect((await create({ message: "hello" }, own.key, idem)).status).toBe(201);
    expect((await create({ message: "hello" }, own.key, idem)).status).toBe(201);
    expect(await conversationsOf(own.id)).toHaveLength(1);
  });

  it("stores nothing for a refused request: the key stays usable once the request is fixed", async () => {
    const own = await insertKey();
    expect((await create({ message: "" }, own.key, "fix-me")).status).toBe(400);
    expect((await create({ message: "fixed" }, own.key, "fix-me")).status).toBe(201);
    expect(await conversationsOf(own.id)).toHaveLength(1);
  });

  it("treats a key older than the 24-hour window as new, even while its row is not pruned yet", async () => {
    expect(IDEMPOTENCY_WINDOW_MS).toBe(24 * 3_600_000);
    const own = await insertKey();
    const idOf = async (res: Response) => ((await res.json()) as { id: string }).id;
    const first = await idOf(await create({ message: "one" }, own.key, "daily"));

    // A minute inside the window: still the first answer.
    await ageKey(own.id, "daily", IDEMPOTENCY_WINDOW_MS - 60_000);
    const inside = await create({ message: "one" }, own.key, "daily");
    expect(inside.headers.get("idempotent-replayed")).toBe("true");
    expect(await idOf(inside)).toBe(first);

    // A minute past it: the same request runs again, and the key now remembers the new answer.
    await ageKey(own.id, "daily", IDEMPOTENCY_WINDOW_MS + 60_000);
    const past = await create({ message: "one" }, own.key, "daily");
    expect(past.status).toBe(201);
    expect(past.headers.get("idempotent-replayed")).toBeNull();
    const second = await idOf(past);
    expect(second).not.toBe(first);
    const again = await create({ message: "one" }, own.key, "daily");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await idOf(again)).toBe(second);

    // Past the window a different request with the key is not a 422 either.
    await ageKey(own.id, "daily", IDEMPOTENCY_WINDOW_MS + 60_000);
    expect((await create({ message: "two" }, own.key, "daily")).status).toBe(201);
    expect(await conversationsOf(own.id)).toHaveLength(3);
  });

  it("concurrent retries of a key past the window run the request once", async () => {
    const own = await insertKey();
    await create({ message: "once more" }, own.key, "stale");
    await ageKey(own.id, "stale", IDEMPOTENCY_WINDOW_MS + 60_000);
    const responses = await Promise.all(Array.from({ length: 5 }, () => create({ message: "once more" }, own.key, "stale")));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ id: string }>));
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === null)).toHaveLength(1);
    expect(await conversationsOf(own.id)).toHaveLength(2);
  });

  it("without a key, each request is its own", async () => {
    const own = await insertKey();
    await create({ message: "hi" }, own.key);
    await create({ message: "hi" }, own.key);
    expect(await conversationsOf(own.id)).toHaveLength(2);
  });
});

describe("Idempotency-Key on POST /api/v1/conversations/{id}/messages", () => {
  it("adds the message once and replays 202", async () => {
    const { id } = (await (await create({ message: "first" }, key.key)).json()) as { id: string };
    await agentsAnswered(id);
    const before = await messageCount(id);
    const first = await reply(id, { message: "second" }, key.key, "msg-1");
    expect(first.status).toBe(202);
    const firstBody: unknown = await first.json();
    // A retry after the agents started answering would be a 409 if it ran again; it is replayed.
    const again = await reply(id, { message: "second" }, key.key, "msg-1");
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(firstBody);
    expect(await messageCount(id)).toBe(before + 1);
  });

  it("does not store a failed attempt (409 while the agents answer); the retry then succeeds", async () => {
    const { id } = (await (await create({ message: "first" }, key.key)).json()) as { id: string };
    const before = await messageCount(id);
    const busy = await reply(id, { message: "next" }, key.key, "msg-retry");
    expect(busy.status).toBe(409);
    expect(await messageCount(id)).toBe(before);
    await agentsAnswered(id);
    expect((await reply(id, { message: "next" }, key.key, "msg-retry")).status).toBe(202);
    expect(await messageCount(id)).toBe(before + 1);
  });

  it("10 concurrent retries add the message once", async () => {
    const { id } = (await (await create({ message: "first" }, key.key)).json()) as { id: string };
    await agentsAnswered(id);
    const before = await messageCount(id);
    const responses = await Promise.all(Array.from({ length: 10 }, () => reply(id, { message: "again" }, key.key, "msg-concurrent")));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(await messageCount(id)).toBe(before + 1);
  });
});
