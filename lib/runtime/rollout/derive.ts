import { type AgentDefinition, type AgentLimits, defineAgent, type ModelTier } from "../agent";
import { type Chain, pinVersions } from "../chain";
import { ConfigurationError } from "../errors";

/** What a console-created version may change about its code-defined base agent. */
export interface AgentVersionEdit {
  readonly version: number;
  readonly instructions: string;
  readonly modelTier: ModelTier;
  /** A subset of the base agent's tools: a version can drop a tool, never gain an unvetted one. */
  readonly tools: readonly string[];
  readonly limits: Partial<AgentLimits>;
}

/**
 * Derives a runnable version from a code-defined base: same name, handoffs and output schema (so
 * the chain's pattern and validation still fit), with edited instructions, tier, tools and limits.
 * @throws ConfigurationError when the edit adds a tool the base does not allow or reuses a version.
 */
export function deriveAgent(base: AgentDefinition, edit: AgentVersionEdit): AgentDefinition {
  const extra = edit.tools.filter((tool) => !base.tools.includes(tool));
  if (extra.length > 0) {
    throw new ConfigurationError(
      `${base.name}@${edit.version}: tools ${extra.join(", ")} are not allowed by the base version`,
    );
  }
  if (edit.version === base.version) {
    throw new ConfigurationError(`${base.name}@${edit.version} would replace its base version`);
  }
  return defineAgent({
    name: base.name,
    version: edit.version,
    instructions: edit.instructions,
    modelTier: edit.modelTier,
    tools: edit.tools,
    handoffs: base.handoffs,
    outputSchema: base.outputSchema,
    limits: { ...base.limits, ...edit.limits },
  });
}

/**
 * The chain with more versions of its agents listed, so a run can pin them. The pattern's hooks
 * work on agent names and pinned versions, so they serve every listed version unchanged.
 * @throws ConfigurationError when an agent is not part of the chain or a version is listed twice.
 */
export function withAgentVersions(chain: Chain, extra: readonly AgentDefinition[]): Chain {
  if (extra.length === 0) return chain;
  const names = new Set(chain.agents.map((a) => a.name));
  const keys = new Set(chain.agents.map((a) => `${a.name}@${a.version}`));
  for (const agent of extra) {
    if (!names.has(agent.name))
      throw new ConfigurationError(`chain ${chain.name} has no agent ${agent.name}`);
    const key = `${agent.name}@${agent.version}`;
    if (keys.has(key)) throw new ConfigurationError(`chain ${chain.name}: ${key} listed twice`);
    keys.add(key);
  }
  return Object.freeze({
    ...chain,
    defaultVersions: Object.freeze(pinVersions(chain)),
    agents: Object.freeze([...chain.agents, ...extra]),
  });
}

/** The base a new version derives from: the highest code-defined version of the agent. */
export function baseAgentOf(chain: Chain, name: string): AgentDefinition | undefined {
  return chain.agents
    .filter((a) => a.name === name)
    .reduce<
      AgentDefinition | undefined
    >((best, a) => (!best || a.version > best.version ? a : best), undefined);
}
