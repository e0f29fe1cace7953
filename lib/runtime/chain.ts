import { type AgentDefinition, agentKey } from "./agent";
import { type CoordinationEffect } from "./coordination/effects";
import { ConfigurationError } from "./errors";
import { checkLadder, type FallbackLadder } from "./resilience/ladder";
import {
  type EscalationReason,
  type HumanDecision,
  type Interruption,
  type PeerRef,
  type RunState,
  type Thread,
  type ThreadRole,
} from "./state";

/** Run-level bounds. Every run ends: by answer, escalation, or one of these. */
export interface ChainLimits {
  /** Steps (each one durable commit) before the run answers with what it has or escalates. */
  readonly maxSteps: number;
  /** Handoffs per run; exceeding it is treated as a handoff loop and escalated. */
  readonly maxHandoffs: number;
  /** Wall-clock budget per conversation, excluding time spent waiting for a human. */
  readonly budgetMs: number;
  /** Peer-to-peer messages per run (patterns/mesh.ts); past it the run stops like on `maxSteps`. */
  readonly maxHops: number;
}

export const defaultChainLimits: ChainLimits = {
  maxSteps: 24,
  maxHandoffs: 4,
  budgetMs: 120_000,
  maxHops: 16,
};

export type ChainPattern = "pipeline" | "supervisor" | "orchestrator_worker" | "mesh" | "hybrid";

/** A thread the pattern wants opened: which agent, where, with what first user message. */
export interface ThreadSpec {
  readonly agent: string;
  readonly role: ThreadRole;
  readonly index: number;
  readonly input: string;
  /** A peer thread's message (patterns/mesh.ts). */
  readonly peer?: PeerRef;
}

/**
 * What a pattern decides after an agent produced validated output (or a human decided), with the
 * coordination effects (publishes, context writes…) recorded alongside it.
 */
export type Transition = (
  | { kind: "continue"; open: readonly ThreadSpec[] }
  /** `answeredBy` attributes the answer when it is not the output of the thread that just ended
   *  (e.g. a reviewer approved another agent's reply); it becomes the run's `lastOutput`. */
  | { kind: "complete"; output: unknown; answeredBy?: string }
  | { kind: "review"; stage: number; prompt: string; payload: unknown }
  | { kind: "escalate"; reason: EscalationReason; detail?: string }
) & { effects?: readonly CoordinationEffect[] };

export type ReviewInterruption = Extract<Interruption, { kind: "human_review" }>;

/**
 * A chain: agents composed by a pattern. The pattern hooks are pure functions of the serialisable
 * state, which is what lets any process continue a run from its checkpoint.
 */
export interface Chain {
  readonly name: string;
  readonly pattern: ChainPattern;
  readonly agents: readonly AgentDefinition[];
  readonly limits: ChainLimits;
  /**
   * Versions a run pins when nothing overrides them. Unset: the highest listed version of each
   * agent. Set when more versions are listed for canaries (rollout/derive.ts), so that listing a
   * version never makes it the default.
   */
  readonly defaultVersions?: Readonly<Record<string, number>>;
  /** Where a thread goes when its model call cannot be made (resilience/ladder.ts). */
  readonly fallback?: FallbackLadder;
  /** Threads opened when a run starts. */
  entry(input: string): readonly ThreadSpec[];
  /** Called with the thread already marked done and its output set. */
  onOutput(state: Readonly<RunState>, thread: Thread, output: unknown): Transition;
  /** Continues after a human review; only patterns that ask for reviews implement it. */
  onReview?(
    state: Readonly<RunState>,
    interruption: ReviewInterruption,
    decision: HumanDecision,
  ): Transition;
}

/** Pattern fields every chain shares; see {@link assembleChain}. */
export interface ChainBase {
  name: string;
  limits?: Partial<ChainLimits>;
  fallback?: FallbackLadder;
}

/**
 * Completes a pattern's chain: applies default limits and checks that agent versions are unique
 * and that every handoff target is part of the chain.
 * @throws ConfigurationError
 */
export function assembleChain(
  base: ChainBase,
  chain: Omit<Chain, "name" | "limits" | "fallback">,
): Chain {
  const limits = { ...defaultChainLimits, ...base.limits };
  if (limits.maxSteps < 1 || limits.maxHandoffs < 0 || limits.budgetMs <= 0 || limits.maxHops < 0) {
    throw new ConfigurationError(`chain ${base.name}: limits must be positive`);
  }
  const keys = new Set<string>();
  for (const agent of chain.agents) {
    const key = agentKey(agent.name, agent.version);
    if (keys.has(key)) throw new ConfigurationError(`chain ${base.name}: ${key} listed twice`);
    keys.add(key);
  }
  const names = new Set(chain.agents.map((agent) => agent.name));
  for (const agent of chain.agents) {
    const unknown = agent.handoffs.filter((target) => !names.has(target));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `chain ${base.name}: ${agent.name} hands off to unknown ${unknown.join(", ")}`,
      );
    }
  }
  checkLadder(base, chain.agents);
  return Object.freeze({
    ...chain,
    name: base.name,
    limits: Object.freeze(limits),
    fallback: base.fallback,
  });
}

/**
 * Pins one version per agent name for a new run: the highest listed unless `overrides` (e.g. a
 * canary assignment) chooses another listed version.
 */
export function pinVersions(
  chain: Chain,
  overrides: Readonly<Record<string, number>> = {},
): Record<string, number> {
  const pinned: Record<string, number> = { ...chain.defaultVersions };
  for (const agent of chain.defaultVersions ? [] : chain.agents) {
    const current = pinned[agent.name];
    if (current === undefined || agent.version > current) pinned[agent.name] = agent.version;
  }
  for (const [name, version] of Object.entries(overrides)) {
    resolveAgent(chain, name, version);
    pinned[name] = version;
  }
  return pinned;
}

/**
 * The agent a thread runs: its pinned version or, when a deploy took that version out of the
 * process (and no stored copy of it was loaded), the chain's newest version of the same agent.
 * Failing every queued and parked run of a bumped agent would be worse than finishing them on the
 * version now deployed. The thread is moved to that version, so its events and spans name the
 * version that actually answered.
 * @throws ConfigurationError when the chain has no version of the agent at all.
 */
export function runnableAgent(chain: Chain, thread: { agent: string; version: number }): AgentDefinition {
  const pinned = chain.agents.find((a) => a.name === thread.agent && a.version === thread.version);
  if (pinned) return pinned;
  const newest = chain.agents
    .filter((a) => a.name === thread.agent)
    .reduce<AgentDefinition | undefined>((best, a) => (!best || a.version > best.version ? a : best), undefined);
  if (!newest) return resolveAgent(chain, thread.agent, thread.version);
  thread.version = newest.version;
  return newest;
}

/** @throws ConfigurationError when the chain no longer has a pinned version (deployment skew). */
export function resolveAgent(chain: Chain, name: string, version: number): AgentDefinition {
  const agent = chain.agents.find((a) => a.name === name && a.version === version);
  if (!agent)
    throw new ConfigurationError(`chain ${chain.name} has no agent ${agentKey(name, version)}`);
  return agent;
}

/** Stringifies a structured value for the next agent's user message. */
export function asInput(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
