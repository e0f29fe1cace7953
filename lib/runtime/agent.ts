import { type z } from "zod";
import { type AgentCacheInput, type AgentCachePolicy, cachePolicyOf } from "./cache/policy";
import { type ContextPolicy } from "./context-policy/policy";
import { ConfigurationError } from "./errors";

/** Model capability classes; providers map each tier to a concrete model. */
export const modelTiers = ["fast", "standard", "strong"] as const;
export type ModelTier = (typeof modelTiers)[number];

/** Per-agent loop bounds. */
export interface AgentLimits {
  /** Model turns one activation of the agent may take (tool loops included). */
  readonly maxTurns: number;
  /** Tool calls accepted from a single model turn; the rest are refused. */
  readonly maxToolCallsPerTurn: number;
  /** Passed to the provider; undefined leaves the provider default. */
  readonly maxOutputTokens?: number;
}

export const defaultAgentLimits: AgentLimits = { maxTurns: 6, maxToolCallsPerTurn: 8 };

/**
 * An immutable, versioned agent definition. A run pins the version of every agent at start, so a
 * rollout of a new version never changes a conversation mid-flight.
 */
export interface AgentDefinition<TOutput = unknown> {
  readonly name: string;
  readonly version: number;
  /** System instructions. Only trusted text: customer input and tool output never go here. */
  readonly instructions: string;
  readonly modelTier: ModelTier;
  /** Names of registered tools this agent may call; anything else is refused and recorded. */
  readonly tools: readonly string[];
  /** Agents this one may hand control to (supervisor pattern); also an allow-list. */
  readonly handoffs: readonly string[];
  /** Structured output contract, validated after every model call. Undefined: plain text. */
  readonly outputSchema?: z.ZodType<TOutput>;
  readonly limits: AgentLimits;
  /** Keeps running past a hard daily spend limit, which pauses every non-critical agent. */
  readonly critical: boolean;
  /** Reuse of answers (cache/policy.ts); undefined: every request calls the model. */
  readonly cache?: AgentCachePolicy;
  /** What of the conversation each call sends (context-policy/); undefined: the full context. */
  readonly context?: ContextPolicy;
  /** Tiers a model router may pick from per activation (routing/); undefined: always `modelTier`. */
  readonly routing?: TierRange;
}

/** An inclusive range of tiers, cheapest first. */
export interface TierRange {
  readonly min: ModelTier;
  readonly max: ModelTier;
}

/** Input of {@link defineAgent}; everything but name, version and instructions has a default. */
export interface AgentInput<TOutput> {
  name: string;
  version: number;
  instructions: string;
  modelTier?: ModelTier;
  tools?: readonly string[];
  handoffs?: readonly string[];
  outputSchema?: z.ZodType<TOutput>;
  limits?: Partial<AgentLimits>;
  critical?: boolean;
  cache?: AgentCacheInput;
  context?: ContextPolicy;
  routing?: TierRange;
}

const agentNamePattern = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Defines a versioned agent. Names are restricted to a slug so they can appear in tool names
 * (`transfer_to_<name>`) and metric labels unchanged.
 * @throws ConfigurationError on an invalid name, version or limits.
 */
export function defineAgent<TOutput = string>(
  input: AgentInput<TOutput>,
): AgentDefinition<TOutput> {
  if (!agentNamePattern.test(input.name)) {
    throw new ConfigurationError(
      `agent name "${input.name}" must match ${String(agentNamePattern)}`,
    );
  }
  if (!Number.isInteger(input.version) || input.version < 1) {
    throw new ConfigurationError(`agent ${input.name}: version must be a positive integer`);
  }
  const limits = { ...defaultAgentLimits, ...input.limits };
  if (limits.maxTurns < 1 || limits.maxToolCallsPerTurn < 0) {
    throw new ConfigurationError(`agent ${input.name}: limits must be positive`);
  }
  if (input.routing && modelTiers.indexOf(input.routing.min) > modelTiers.indexOf(input.routing.max)) {
    throw new ConfigurationError(`agent ${input.name}: routing range ${input.routing.min}..${input.routing.max} is empty`);
  }
  if (input.handoffs?.includes(input.name)) {
    throw new ConfigurationError(`agent ${input.name} cannot hand off to itself`);
  }
  return Object.freeze({
    name: input.name,
    version: input.version,
    instructions: input.instructions,
    modelTier: input.modelTier ?? "standard",
    tools: Object.freeze([...(input.tools ?? [])]),
    handoffs: Object.freeze([...(input.handoffs ?? [])]),
    outputSchema: input.outputSchema,
    limits: Object.freeze(limits),
    critical: input.critical ?? false,
    cache: input.cache ? cachePolicyOf(input.name, input.cache) : undefined,
    ...(input.context && input.context.kind !== "full" ? { context: Object.freeze(input.context) } : {}),
    ...(input.routing ? { routing: Object.freeze({ ...input.routing }) } : {}),
  });
}

/** `name@version`, the key under which a chain stores agent versions. */
export function agentKey(name: string, version: number): string {
  return `${name}@${version}`;
}
