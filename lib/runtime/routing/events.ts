import { z } from "zod";
import { modelTiers } from "../agent";

/** Agent-level events of model routing; `base` is the common event envelope of events.ts. */
export function routingEventSchemas<B extends z.ZodRawShape>(base: B) {
  return [
    z.object({
      ...base,
      type: z.literal("model_routed"),
      threadId: z.string(),
      /** The tier the activation runs on (before a conversation budget may lower it). */
      tier: z.enum(modelTiers),
      reason: z.string(),
      range: z.object({ min: z.enum(modelTiers), max: z.enum(modelTiers) }),
      /** How the decision was made: by the router, or without it (one tier, router failed). */
      by: z.enum(["router", "single_tier", "fallback"]),
    }),
  ] as const;
}
