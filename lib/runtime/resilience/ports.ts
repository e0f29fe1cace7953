import { type BreakerEvent, type BreakerResult } from "./breaker";

/**
 * Where breakers live. `apply` must be atomic per key across every process that shares the
 * store: read the state, run {@link applyBreakerEvent}, persist the result (and its transition)
 * as one unit, creating the breaker closed on first use. A store may answer from a cache when
 * the answer cannot change the stored state (an `acquire` on a breaker it knows to be closed).
 */
export interface BreakerStore {
  apply(key: string, event: BreakerEvent, now: number): Promise<BreakerResult>;
}

/** Priority classes of model calls: live conversations are served before batch work. */
export type CallPriority = "live" | "batch";

/**
 * A central rate limiter: resolves when the call may go out (after queueing if needed), with
 * what it was granted. `estimatedTokens` is charged up front; `settle` corrects it afterwards.
 */
export interface RateLimiter {
  acquire(
    key: string,
    request: { priority: CallPriority; estimatedTokens: number; signal?: AbortSignal },
  ): Promise<{ settle(actualTokens: number): Promise<void> }>;
}
