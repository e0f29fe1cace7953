import { type Chain, type ModelTier, modelTiers, type ToolDefinition } from "@/lib/runtime";

/**
 * Every breaker this deployment's teams can trip, so the console lists them before their first
 * call: an agent breaker per agent, a tool breaker per tool and a model breaker per tier's model.
 */
export function knownBreakerKeys(
  chains: readonly Chain[],
  tools: readonly ToolDefinition[],
  modelOf: (tier: ModelTier) => string,
): string[] {
  const agents = new Set(chains.flatMap((c) => c.agents.map((a) => a.name)));
  const models = new Set(modelTiers.map(modelOf));
  return [
    ...[...agents].map((a) => `agent:${a}`),
    ...[...models].map((m) => `model:${m}`),
    ...tools.map((t) => `tool:${t.name}`),
  ];
}
