"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { budgetInputSchema, budgetScopeSchema, priceInputSchema } from "@/lib/costs/inputs";
import { removeBudget, setBudget } from "@/lib/dal/budgets";
import { addPriceVersion } from "@/lib/dal/prices";

/** Adds a new version of a model's price (in force from now); the history is kept. */
export const addModelPriceAction = formAction("budgets:write", priceInputSchema, async (input, actor) => {
  const added = await addPriceVersion(actor, input);
  revalidatePath("/budgets");
  return added;
});

/** Sets a budget's limit (conversation, or daily per agent / API key / globally). */
export const setBudgetAction = formAction("budgets:write", budgetInputSchema, async (input, actor) => {
  const saved = await setBudget(actor, input);
  revalidatePath("/budgets");
  return saved;
});

export const removeBudgetAction = formAction("budgets:write", z.object({ scope: budgetScopeSchema }), async (input, actor) => {
  const removed = await removeBudget(actor, input.scope);
  revalidatePath("/budgets");
  return removed;
});
