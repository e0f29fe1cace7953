"use server";

import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/actions/action";
import { priceInputSchema } from "@/lib/costs/inputs";
import { addPriceVersion } from "@/lib/dal/prices";

/** Adds a new version of a model's price (in force from now); the history is kept. */
export const addModelPriceAction = formAction("budgets:write", priceInputSchema, async (input, actor) => {
  const added = await addPriceVersion(actor, input);
  revalidatePath("/budgets");
  return added;
});
