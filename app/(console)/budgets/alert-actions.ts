"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { acknowledgeAlert } from "@/lib/dal/alerts";

const alertIdSchema = z.object({ id: z.string().regex(/^alr_[0-9a-z]{26}$/, "Unknown alert.") });

/**
 * Acknowledges an anomaly alert. Alerts are part of cost governance, so acknowledging one is an
 * admin's decision like changing a budget (budgets:write); engineers and leads see them.
 */
export const acknowledgeAlertAction = formAction("budgets:write", alertIdSchema, async (input, actor) => {
  const done = await acknowledgeAlert(actor, input.id);
  revalidatePath("/budgets");
  revalidatePath("/");
  return done;
});
