import { ProviderError } from "../model";
import { BreakerOpenError } from "./errors";

/**
 * Retry policy for model calls: exponential backoff with FULL jitter (AWS Architecture Blog,
 * "Exponential Backoff and Jitter": sleep = random(0, min(cap, base · 2^(attempt-1)))), which
 * spreads a herd of failed callers better than equal or decorrelated jitter at the same cost.
 */
export interface RetryPolicy {
  /** Calls in total, the first included (DESIGN.md: escalate after 3). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the step falls back instead. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
});

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  /** `exhausted`: the error was worth retrying but the policy's budget is spent. */
  | { readonly retry: false; readonly exhausted: boolean };

/**
 * Whether (and after how long) to retry after attempt `attempt` (1-based) failed with `error`.
 * Only rate limits, 5xx and timeouts are retried; a 4xx that is not a 429, malformed output
 * (the runtime's one corrective retry handles schema errors) and an open breaker are not. A
 * Retry-After is honoured: the delay is never shorter than it.
 */
export function retryDecision(
  policy: RetryPolicy,
  error: unknown,
  attempt: number,
  random: () => number,
): RetryDecision {
  if (!(error instanceof ProviderError) || error instanceof BreakerOpenError || !error.retryable)
    return { retry: false, exhausted: false };
  if (attempt >= policy.maxAttempts) return { retry: false, exhausted: true };
  const jitter = Math.floor(
    random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)),
  );
  const retryAfter = error.retryAfterMs;
  if (retryAfter === undefined) return { retry: true, delayMs: jitter };
  if (retryAfter > policy.maxRetryAfterMs) return { retry: false, exhausted: true };
  return { retry: true, delayMs: Math.max(retryAfter, jitter) };
}
