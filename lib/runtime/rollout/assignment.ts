/**
 * Sticky canary assignment: a conversation's bucket in [0, 100) is a pure function of its id and
 * the rollout's id, so every process computes the same arm without coordination, and a different
 * rollout reshuffles the population (the same customers are not always the guinea pigs).
 */

/** 32-bit FNV-1a followed by murmur3's finaliser, which spreads FNV's weak low bits. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The conversation's bucket for a rollout, in [0, 100) with 0.01 resolution. */
export function rolloutBucket(conversationId: string, rolloutId: string): number {
  return (hash32(`${rolloutId}:${conversationId}`) % 10_000) / 100;
}

export type RolloutArm = "canary" | "stable";

/** Canary when the bucket falls below the rollout's current percentage. */
export function assignArm(conversationId: string, rolloutId: string, percent: number): RolloutArm {
  return rolloutBucket(conversationId, rolloutId) < percent ? "canary" : "stable";
}

/** An active rollout as assignment sees it. */
export interface ActiveRollout {
  readonly id: string;
  readonly agent: string;
  readonly stableVersion: number;
  readonly canaryVersion: number;
  readonly percent: number;
  /** A paused rollout sends new conversations to stable but keeps assigned ones where they are. */
  readonly paused: boolean;
}

export interface Assignment {
  /** Version per agent for the rollouts' agents. */
  readonly versions: Record<string, number>;
  /** Arm per rollout id. */
  readonly arms: Record<string, RolloutArm>;
}

/** Assigns a new conversation to an arm of every active rollout. */
export function assignConversation(
  conversationId: string,
  rollouts: readonly ActiveRollout[],
): Assignment {
  const versions: Record<string, number> = {};
  const arms: Record<string, RolloutArm> = {};
  for (const r of rollouts) {
    const arm = r.paused ? "stable" : assignArm(conversationId, r.id, r.percent);
    arms[r.id] = arm;
    versions[r.agent] = arm === "canary" ? r.canaryVersion : r.stableVersion;
  }
  return { versions, arms };
}

/** A deterministic share of ids, for sampling (evaluation) rather than splitting traffic. */
export function inSample(id: string, salt: string, share: number): boolean {
  return hash32(`${salt}:${id}`) % 10_000 < Math.round(share * 10_000);
}
