import { z } from "zod";
import { defineAgent, type ModelTier, modelTiers, type TierRange } from "../agent";

export const routingDecisionSchema = z.object({
  tier: z.enum(modelTiers),
  reason: z.string().min(1).max(300),
});
export type RoutingDecision = z.infer<typeof routingDecisionSchema>;

/**
 * Picks the model tier for one agent activation by the task's complexity: fast tier itself, one
 * short call, so that it costs a fraction of what it saves when it sends easy requests down.
 */
export const modelRouterAgent = defineAgent({
  name: "model-router",
  version: 1,
  modelTier: "fast",
  instructions:
    'Pick the model tier for this task from the allowed ones: "fast" for a simple, common question; "standard" when it needs tools or several steps; "strong" when it is ambiguous, multi-part or high-stakes. Give a one-sentence reason.',
  outputSchema: routingDecisionSchema,
  limits: { maxTurns: 1, maxOutputTokens: 80 },
  // Per call it takes the criticality of the agent it routes (routing/route.ts).
  critical: true,
});

/** The router's one user message: which agent, which tiers it may use, and the request. */
export interface RoutingRequest {
  readonly agent: string;
  readonly allowed: readonly ModelTier[];
  readonly request: string;
}

/** Tiers of a range, cheapest first. */
export function tiersIn(range: TierRange): ModelTier[] {
  return modelTiers.slice(modelTiers.indexOf(range.min), modelTiers.indexOf(range.max) + 1);
}

/** A tier moved into the range (a router may answer outside it). */
export function clampTier(tier: ModelTier, range: TierRange): ModelTier {
  const i = modelTiers.indexOf(tier);
  const lo = modelTiers.indexOf(range.min);
  const hi = modelTiers.indexOf(range.max);
  return modelTiers[Math.min(hi, Math.max(lo, i))]!;
}
