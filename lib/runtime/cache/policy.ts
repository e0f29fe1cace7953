import { type AgentDefinition } from "../agent";
import { ConfigurationError } from "../errors";
import { type ToolRegistry } from "../tools";

/**
 * Whether and how an agent's answers are reused (part of the agent definition; off unless set).
 * Meant for FAQ-like agents: an answer that depends on who asks, or on what a tool changed, must
 * never be served to someone else, so agents that may call write or high-impact tools cannot cache.
 */
export interface AgentCachePolicy {
  /** How long a stored answer may be served. */
  readonly ttlMs: number;
  /**
   * Cosine similarity of the request embeddings from which a differently worded request gets a
   * stored answer (semantic cache); null: only the same normalised request hits (exact cache).
   */
  readonly minSimilarity: number | null;
  /**
   * The part of a request that decides the answer, or null when this request must not be cached
   * (e.g. a follow-up whose answer depends on the conversation before it). Default: all of it.
   */
  readonly key?: (request: string) => string | null;
}

export interface AgentCacheInput {
  ttlMs: number;
  minSimilarity?: number | null;
  key?: (request: string) => string | null;
}

/** @throws ConfigurationError on a non-positive TTL or a similarity outside (0, 1]. */
export function cachePolicyOf(agentName: string, input: AgentCacheInput): AgentCachePolicy {
  const minSimilarity = input.minSimilarity ?? null;
  if (!(input.ttlMs > 0)) throw new ConfigurationError(`agent ${agentName}: cache ttlMs must be positive`);
  if (minSimilarity !== null && !(minSimilarity > 0 && minSimilarity <= 1)) {
    throw new ConfigurationError(`agent ${agentName}: cache minSimilarity must be in (0, 1]`);
  }
  return Object.freeze({ ttlMs: input.ttlMs, minSimilarity, ...(input.key ? { key: input.key } : {}) });
}

/** @throws ConfigurationError when a caching agent may call a tool with side effects. */
export function assertCacheable(agent: AgentDefinition, tools: ToolRegistry): void {
  if (!agent.cache) return;
  const unsafe = agent.tools.filter((name) => tools.get(name)?.sideEffect !== "read");
  if (unsafe.length > 0) {
    throw new ConfigurationError(
      `agent ${agent.name}@${agent.version} caches answers but may call tools with side effects: ${unsafe.join(", ")}`,
    );
  }
}
