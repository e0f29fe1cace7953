import { describe, expect, it, vi } from "vitest";
import { parseBearer } from "@/lib/api/auth";
import { MAX_BODY_BYTES, readJsonBody } from "@/lib/api/body";
import { parseIdempotencyKey, requestHash, stableStringify } from "@/lib/api/idempotency";
import { ApiError, handleApiRequest } from "@/lib/api/respond";
import { describeIssues, postMessageBodySchema, startConversationBodySchema } from "@/lib/api/schemas";
import { AppError } from "@/lib/errors";

vi.mock("@/lib/auth/session", () => ({ getSessionUserId: vi.fn(() => Promise.resolve(null)) }));

describe("parseBearer", () => {
  it.each([
    ["Bearer sy_live_abc", "sy_live_abc"],
    ["bearer sy_live_abc", "sy_live_abc"],
    ["Bearer   sy_live_abc  ", "sy_live_abc"],
  ])("reads %j", (header, key) => expect(parseBearer(header)).toBe(key));

  it.each([null, "", "Bearer", "Bearer ", "Basic abc", "sy_live_abc", "Bearer a b", `Bearer ${"k".repeat(513)}`])(
    "refuses %j",
    (header) => expect(parseBearer(header)).toBeNull(),
  );
});

describe("parseIdempotencyKey", () => {
  it("allows no key and 1–255 printable ASCII characters", () => {
    expect(parseIdempotencyKey(null)).toBeNull();
    expect(parseIdempotencyKey("a")).toBe("a");
    expect(parseIdempotencyKey("~ !".padEnd(255, "z"))).toHaveLength(255);
  });

  it.each(["", "k".repeat(256), "clé", "tab\there", "nul\u0000"])("refuses %j with a 400", (key) => {
    expect(() => parseIdempotencyKey(key)).toThrow(ApiError);
    try {
      parseIdempotencyKey(key);
    } catch (e) {
      expect(e).toMatchObject({ code: "invalid", status: 400 });
    }
  });
});

describe("requestHash", () => {
  it("ignores key order and whitespace, not values, method or path", () => {
    const h = requestHash("POST", "/api/v1/conversations", { message: "a", metadata: { x: 1, y: [1, { b: 2, a: 1 }] } });
    expect(requestHash("post", "/api/v1/conversations", JSON.parse('{"metadata":{"y":[1,{"a":1,"b":2}],"x":1},"message":"a"}'))).toBe(h);
    expect(requestHash("POST", "/api/v1/conversations", { message: "b", metadata: { x: 1, y: [1, { b: 2, a: 1 }] } })).not.toBe(h);
    expect(requestHash("POST", "/api/v1/conversations/x/messages", { message: "a", metadata: { x: 1, y: [1, { b: 2, a: 1 }] } })).not.toBe(h);
  });

  it("serialises like JSON with sorted keys", () => {
    expect(stableStringify({ b: [1, "x", null], a: { d: true, c: 1.5 } })).toBe('{"a":{"c":1.5,"d":true},"b":[1,"x",null]}');
    expect(stableStringify("é\n")).toBe(JSON.stringify("é\n"));
  });
});

describe("request body schemas", () => {
  it("trims the message and keeps optional fields", () => {
    expect(startConversationBodySchema.parse({ message: "  hi ", customerId: " c1 ", metadata: { a: 1 } })).toEqual({
      message: "hi",
      customerId: "c1",
      metadata: { a: 1 },
    });
    expect(postMessageBodySchema.parse({ message: "x".repeat(8000) }).message).toHaveLength(8000);
  });

  it.each([
    [{}, "message is required."],
    [{ message: 1 }, "message must be a string."],
    [{ message: "  " }, "message must not be empty."],
    [{ message: "x".repeat(8001) }, "message must be at most 8000 characters."],
    [{ message: "hi", extra: 1 }, "Unknown field: extra."],
    [{ message: "hi", metadata: [] }, "metadata must be a JSON object."],
    [{ message: "hi", metadata: null }, "metadata must be a JSON object."],
    [{ message: "hi", customerId: "" }, "customerId must not be empty."],
    [{ message: `a${String.fromCharCode(0)}b` }, "message must not contain NUL characters or unpaired surrogates."],
    [{ message: "hi", customerId: `c${String.fromCharCode(0)}` }, "customerId must not contain NUL characters or unpaired surrogates."],
    [{ message: "hi", metadata: { k: `v${String.fromCharCode(0)}` } }, "metadata must not contain NUL characters or unpaired surrogates."],
    [[], "The body must be a JSON object."],
  ])("explains %j", (body, message) => {
    const parsed = startConversationBodySchema.safeParse(body);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssues(parsed.error)).toBe(message);
  });
});

describe("readJsonBody", () => {
  const req = (body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) =>
    new Request("http://x/api", { method: "POST", body, headers });

  it("parses JSON, with or without a charset or a +json type", async () => {
    expect(await readJsonBody(req('{"a":1}'))).toEqual({ a: 1 });
    expect(await readJsonBody(req('{"a":1}', { "content-type": "application/json; charset=utf-8" }))).toEqual({ a: 1 });
    expect(await readJsonBody(req('{"a":1}', { "content-type": "application/merge-patch+json" }))).toEqual({ a: 1 });
  });

  it.each([
    ["not JSON", req("{a:1}"), 400],
    ["empty", req(""), 400],
    ["no body", req(null), 400],
    ["a form", req("a=1", { "content-type": "application/x-www-form-urlencoded" }), 400],
    ["invalid UTF-8", req(new Uint8Array([0x7b, 0xff, 0x7d])), 400],
    ["declared too large", req("{}", { "content-type": "application/json", "content-length": String(MAX_BODY_BYTES + 1) }), 413],
    ["too large", req(JSON.stringify({ a: "x".repeat(MAX_BODY_BYTES) })), 413],
  ])("refuses %s", async (_name, request, status) => {
    await expect(readJsonBody(request)).rejects.toMatchObject({ code: "invalid", status });
  });
});

describe("handleApiRequest", () => {
  it("turns an expected error into its status and the error object", async () => {
    const res = await handleApiRequest("test", () => Promise.reject(new AppError("conflict", "Busy.")));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: "Busy." } });
    const tooLarge = await handleApiRequest("test", () => Promise.reject(new ApiError("invalid", "Too big.", 413)));
    expect(tooLarge.status).toBe(413);
  });

  it("logs an unexpected error under an id and answers 500 without internals", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await handleApiRequest("test", () => Promise.reject(new Error("password=hunter2 at db.internal")));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    const id = res.headers.get("x-error-id");
    expect(body.error.code).toBe("internal");
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(body.error.message).toContain(id);
    expect(spy.mock.calls.some((c) => String(c[0]).includes(id!))).toBe(true);
    spy.mockRestore();
  });
});
