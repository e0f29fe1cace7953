import { type AgentCachePolicy } from "./policy";

/** What identifies a reusable answer; the store adds the tenant from the run (never the caller). */
export interface CacheRequest {
  readonly runId: string;
  readonly agent: string;
  readonly version: number;
  /** The request the agent's thread was opened with, as the customer (or the chain) wrote it. */
  readonly input: string;
  readonly policy: AgentCachePolicy;
}

export interface CachedAnswer {
  readonly match: "exact" | "semantic";
  /** 1 for an exact hit. */
  readonly similarity: number;
  readonly output: unknown;
  /** The model that produced the stored answer. */
  readonly model: string;
  /** What the call that produced it cost: the saving of serving it again. */
  readonly savedUsd: number;
  readonly ageMs: number;
}

/**
 * The ResponseCache port. Implementations scope every entry to the tenant of the run (the API key
 * of its conversation; console conversations have their own scope) and never return an entry of
 * another scope. `lookup` counts the hit; `store` replaces an entry with the same key. Failures
 * propagate like any store failure: the step is not committed and is retried.
 */
export interface ResponseCache {
  lookup(request: CacheRequest): Promise<CachedAnswer | null>;
  store(request: CacheRequest, answer: { output: unknown; model: string; costUsd: number | null }): Promise<void>;
}
