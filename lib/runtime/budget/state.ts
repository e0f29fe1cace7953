import { z } from "zod";

/**
 * The conversation budget as checkpointed with the run. Spend is added with the commit of the step
 * that made the calls, so a run resumed from its checkpoint knows exactly what it has spent and
 * cannot spend the same allowance twice.
 */
export const conversationBudgetSchema = z.object({
  /** Null: spend is tracked but not limited. */
  limitUsd: z.number().nonnegative().nullable(),
  /** The conversation's spend so far, earlier turns included. */
  spentUsd: z.number().nonnegative(),
  /** Set once 80% is used: from the next step on, agents run one tier cheaper. */
  downgraded: z.boolean(),
});
export type ConversationBudget = z.infer<typeof conversationBudgetSchema>;
