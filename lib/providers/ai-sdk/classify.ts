import {
  APICallError,
  EmptyResponseBodyError,
  InvalidResponseDataError,
  JSONParseError,
  NoContentGeneratedError,
  NoObjectGeneratedError,
  RetryError,
  TypeValidationError,
} from "ai";
import { ProviderError, type ProviderErrorKind } from "@/lib/runtime";

/** Network failures below HTTP: the server may well answer the next attempt. */
const networkErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ConnectionRefused",
  "ConnectionClosed",
]);

export interface ClassifyOptions {
  /** Secrets to scrub from messages on top of the generic key patterns (the configured key). */
  readonly secrets?: readonly string[];
  /** Reference time for an HTTP-date Retry-After; defaults to now. */
  readonly now?: number;
}

/**
 * Translates anything the AI SDK (or fetch below it) throws into the runtime's {@link
 * ProviderError}, so the resilience layer decides on `kind` and never on message text:
 * 429 → rate_limit (with Retry-After), 408 → timeout, 5xx and Anthropic's 529 → server_error,
 * other 4xx → bad_request, an unreadable 2xx body or unparsable structured output →
 * malformed_output, a timeout abort → timeout, a dropped or refused connection → server_error.
 * Messages are scrubbed of API keys and bounded in length.
 */
export function classifyProviderError(
  error: unknown,
  options: ClassifyOptions = {},
): ProviderError {
  if (error instanceof ProviderError) return error;
  const scrub = (message: string) => redact(message, options.secrets);
  if (RetryError.isInstance(error)) return classifyProviderError(error.lastError, options);
  if (APICallError.isInstance(error)) return fromApiCallError(error, scrub, options.now);
  if (isAbort(error)) {
    return new ProviderError("timeout", "model call aborted before the provider answered", {});
  }
  if (NoObjectGeneratedError.isInstance(error)) {
    return new ProviderError("malformed_output", describeUnparsable(error.cause), {});
  }
  if (
    JSONParseError.isInstance(error) ||
    TypeValidationError.isInstance(error) ||
    InvalidResponseDataError.isInstance(error) ||
    EmptyResponseBodyError.isInstance(error) ||
    NoContentGeneratedError.isInstance(error)
  ) {
    return new ProviderError(
      "malformed_output",
      `provider response unusable: ${scrub(shortName(error))}`,
      {},
    );
  }
  const network = findNetworkCode(error);
  if (network) {
    return new ProviderError("server_error", `cannot reach the provider (${network})`, {});
  }
  // Unknown failures are reported as retryable server errors rather than escaping as system
  // failures: a provider SDK quirk must not leave a run re-claimed by every worker forever.
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError("server_error", `unexpected provider failure: ${scrub(message)}`, {});
}

function fromApiCallError(
  error: APICallError,
  scrub: (message: string) => string,
  now: number | undefined,
): ProviderError {
  const status = error.statusCode;
  const message = scrub(error.message || "provider request failed");
  const at = (kind: ProviderErrorKind, extra: { retryAfterMs?: number } = {}) =>
    new ProviderError(kind, status ? `${status}: ${message}` : message, { status, ...extra });
  if (status === undefined) {
    // No response at all: fetch failed (refused, reset, DNS) before any HTTP status.
    return new ProviderError("server_error", `cannot reach the provider: ${message}`, {});
  }
  if (status >= 200 && status < 300) return at("malformed_output"); // body was not the API's JSON
  if (status === 429) {
    // OpenAI's exhausted billing quota is a 429 too, but waiting does not fix it.
    if (errorCode(error.data) === "insufficient_quota") return at("bad_request");
    return at("rate_limit", { retryAfterMs: retryAfterMs(error.responseHeaders, now) });
  }
  if (status === 408) return at("timeout");
  if (status === 409 || status >= 500) {
    return at("server_error", { retryAfterMs: retryAfterMs(error.responseHeaders, now) });
  }
  if (status >= 400) return at("bad_request");
  return at("server_error");
}

/**
 * Milliseconds to wait from `retry-after-ms` (OpenAI) or `Retry-After` in delta-seconds or an
 * HTTP date. Undefined when absent or unparsable; never negative.
 */
export function retryAfterMs(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const header = (name: string) =>
    Object.entries(headers)
      .find(([key]) => key.toLowerCase() === name)?.[1]
      ?.trim();
  const ms = header("retry-after-ms");
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = header("retry-after");
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const keyPatterns = [/\bsk-[A-Za-z0-9_*-]{6,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/gi];
const maxMessageLength = 300;

/** Removes API keys (known secrets and key-shaped strings) and bounds the length. */
export function redact(message: string, secrets: readonly string[] = []): string {
  let out = message;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  for (const pattern of keyPatterns) out = out.replace(pattern, "[redacted]");
  return out.length > maxMessageLength ? `${out.slice(0, maxMessageLength)}…` : out;
}

function isAbort(error: unknown): boolean {
  return (
    (error instanceof Error || error instanceof DOMException) &&
    (error.name === "AbortError" || error.name === "TimeoutError")
  );
}

/** The message the model sees in the corrective retry: short, without echoing its text. */
function describeUnparsable(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (TypeValidationError.isInstance(cause)) return "output does not match the schema";
  const detail = inner instanceof Error ? inner.message.split("\n")[0] : undefined;
  return detail ? `output is not valid JSON (${detail.slice(0, 120)})` : "output is not valid JSON";
}

function shortName(error: Error): string {
  return error.message.split("\n")[0] ?? error.name;
}

function findNetworkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && networkErrorCodes.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

function errorCode(data: unknown): unknown {
  if (typeof data !== "object" || data === null || !("error" in data)) return undefined;
  const inner = data.error;
  return typeof inner === "object" && inner !== null && "code" in inner ? inner.code : undefined;
}
