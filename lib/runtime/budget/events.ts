import { z } from "zod";

/** Run-level events of cost governance; `base` is the common event envelope of events.ts. */
export function budgetEventSchemas<B extends z.ZodRawShape>(base: B) {
  return [
    z.object({
      ...base,
      type: z.literal("budget_downgraded"),
      spentUsd: z.number(),
      limitUsd: z.number(),
    }),
    z.object({
      ...base,
      type: z.literal("budget_exhausted"),
      /** `conversation`, or the daily scope that refused the call (`daily:agent:billing`). */
      scope: z.string(),
      spentUsd: z.number(),
      limitUsd: z.number(),
      /** What the run did about it. */
      outcome: z.enum(["best_answer", "escalated"]),
    }),
  ] as const;
}
