import {
  APICallError,
  EmptyResponseBodyError,
  InvalidResponseDataError,
  JSONParseError,
  NoObjectGeneratedError,
  RetryError,
  TypeValidationError,
} from "ai";
import { describe, expect, it } from "vitest";
import { classifyProviderError, redact, retryAfterMs } from "@/lib/providers/ai-sdk";
import { ProviderError, type ProviderErrorKind } from "@/lib/runtime";

const now = Date.UTC(2026, 0, 1, 12, 0, 0);

function apiError(
  statusCode: number | undefined,
  options: {
    headers?: Record<string, string>;
    message?: string;
    data?: unknown;
    cause?: unknown;
  } = {},
) {
  return new APICallError({
    message: options.message ?? `status ${statusCode}`,
    url: "https://api.example.test/v1/chat/completions",
    requestBodyValues: {},
    statusCode,
    responseHeaders: options.headers,
    data: options.data,
    cause: options.cause,
  });
}

const usage = {
  inputTokens: 1,
  outputTokens: 1,
  totalTokens: 2,
  inputTokenDetails: { noCacheTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
  outputTokenDetails: { textTokens: 1, reasoningTokens: 0 },
};
const noObject = (cause: Error) =>
  new NoObjectGeneratedError({
    cause,
    text: "not json",
    response: { id: "r", timestamp: new Date(now), modelId: "m" },
    usage,
    finishReason: "stop",
  });

function networkError(code: string) {
  const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
  return new TypeError("fetch failed", { cause });
}

const cases: Array<
  [string, unknown, ProviderErrorKind, { retryAfterMs?: number; status?: number }?]
> = [
  [
    "429 with Retry-After seconds",
    apiError(429, { headers: { "retry-after": "12" } }),
    "rate_limit",
    { retryAfterMs: 12_000, status: 429 },
  ],
  [
    "429 with Retry-After HTTP date",
    apiError(429, { headers: { "retry-after": new Date(now + 30_000).toUTCString() } }),
    "rate_limit",
    { retryAfterMs: 30_000 },
  ],
  [
    "429 with retry-after-ms (wins)",
    apiError(429, { headers: { "retry-after-ms": "1500", "retry-after": "2" } }),
    "rate_limit",
    { retryAfterMs: 1_500 },
  ],
  [
    "429 with Retry-After in mixed case",
    apiError(429, { headers: { "Retry-After": "3" } }),
    "rate_limit",
    { retryAfterMs: 3_000 },
  ],
  ["429 without Retry-After", apiError(429), "rate_limit", { retryAfterMs: undefined }],
  [
    "429 insufficient_quota",
    apiError(429, { data: { error: { code: "insufficient_quota" } } }),
    "bad_request",
    { status: 429 },
  ],
  ["500", apiError(500), "server_error", { status: 500 }],
  ["502", apiError(502), "server_error"],
  [
    "503 with Retry-After",
    apiError(503, { headers: { "retry-after": "5" } }),
    "server_error",
    { retryAfterMs: 5_000 },
  ],
  [
    "529 overloaded (Anthropic)",
    apiError(529, { message: "Overloaded" }),
    "server_error",
    { status: 529 },
  ],
  ["409 conflict", apiError(409), "server_error"],
  ["408 request timeout", apiError(408), "timeout"],
  ["400", apiError(400), "bad_request", { status: 400 }],
  ["401", apiError(401), "bad_request", { status: 401 }],
  ["403", apiError(403), "bad_request"],
  ["404", apiError(404), "bad_request"],
  ["422", apiError(422), "bad_request"],
  [
    "200 with an unparsable body",
    apiError(200, { message: "Invalid JSON response" }),
    "malformed_output",
    { status: 200 },
  ],
  [
    "no status: connection failed",
    apiError(undefined, { message: "Cannot connect to API: connect ECONNREFUSED" }),
    "server_error",
  ],
  ["raw ECONNREFUSED", networkError("ECONNREFUSED"), "server_error"],
  ["raw ECONNRESET", networkError("ECONNRESET"), "server_error"],
  [
    "RetryError unwraps its last error",
    new RetryError({
      message: "failed",
      reason: "maxRetriesExceeded",
      errors: [apiError(500), apiError(429, { headers: { "retry-after": "1" } })],
    }),
    "rate_limit",
    { retryAfterMs: 1_000 },
  ],
  ["TimeoutError abort", new DOMException("The operation timed out.", "TimeoutError"), "timeout"],
  ["AbortError", new DOMException("This operation was aborted", "AbortError"), "timeout"],
  [
    "NoObjectGenerated (parse)",
    noObject(new JSONParseError({ text: "not json", cause: new SyntaxError("Unexpected token") })),
    "malformed_output",
  ],
  [
    "NoObjectGenerated (schema)",
    noObject(new TypeValidationError({ value: {}, cause: new Error("bad") })),
    "malformed_output",
  ],
  [
    "JSONParseError",
    new JSONParseError({ text: "{", cause: new SyntaxError("Unexpected end") }),
    "malformed_output",
  ],
  [
    "InvalidResponseDataError",
    new InvalidResponseDataError({ data: {}, message: "no choices" }),
    "malformed_output",
  ],
  ["EmptyResponseBodyError", new EmptyResponseBodyError(), "malformed_output"],
  ["an unknown error", new Error("boom"), "server_error"],
];

describe("classifyProviderError", () => {
  it.each(cases)("%s → %s", (_name, error, kind, details) => {
    const classified = classifyProviderError(error, { now });
    expect(classified).toBeInstanceOf(ProviderError);
    expect(classified.kind).toBe(kind);
    if (details && "retryAfterMs" in details)
      expect(classified.retryAfterMs).toBe(details.retryAfterMs);
    if (details?.status !== undefined) expect(classified.details.status).toBe(details.status);
  });

  it("marks rate limits, server errors and timeouts retryable, the rest not", () => {
    expect(classifyProviderError(apiError(429)).retryable).toBe(true);
    expect(classifyProviderError(apiError(503)).retryable).toBe(true);
    expect(classifyProviderError(apiError(401)).retryable).toBe(false);
    expect(classifyProviderError(apiError(200)).retryable).toBe(false);
  });

  it("passes a ProviderError through unchanged", () => {
    const original = new ProviderError("timeout", "slow");
    expect(classifyProviderError(original)).toBe(original);
  });

  it("never puts API keys into messages", () => {
    const key = "sk-proj-AbCdEf0123456789xyz";
    const classified = classifyProviderError(
      apiError(401, { message: `Incorrect API key provided: ${key}. Header was Bearer ${key}` }),
    );
    expect(classified.message).not.toContain("AbCdEf0123456789");
    expect(classified.message).toContain("[redacted]");
    const custom = classifyProviderError(
      apiError(403, { message: "key local-secret-key rejected" }),
      {
        secrets: ["local-secret-key"],
      },
    );
    expect(custom.message).not.toContain("local-secret-key");
    // The original SDK error (whose message held the key) is not kept as the cause either.
    expect(classified.details.cause).toBeUndefined();
  });
});

describe("retryAfterMs", () => {
  it.each([
    [{ "retry-after": "0" }, 0],
    [{ "retry-after": "1.5" }, 1_500],
    [{ "retry-after": new Date(now - 5_000).toUTCString() }, 0],
    [{ "retry-after": "soon" }, undefined],
    [{}, undefined],
  ])("%j → %s", (headers, expected) => {
    expect(retryAfterMs(headers, now)).toBe(expected);
  });
});

describe("redact", () => {
  it("bounds long messages", () => {
    expect(redact("x".repeat(1_000)).length).toBeLessThanOrEqual(301);
  });
});
