import { z } from "zod";
import { parseScope } from "./scopes";

/**
 * Validation of what admins enter for prices and budgets, shared by the server actions (form
 * strings) and the data layer (which validates again: it must not trust every caller used a form).
 * "Absurd" bounds are far above any real list price or plausible budget, so a typo (an extra few
 * zeros) is caught instead of silently disabling governance.
 */
export const MAX_PRICE_PER_MTOK = 1_000;
export const MAX_CONVERSATION_BUDGET_USD = 1_000;
export const MAX_DAILY_BUDGET_USD = 1_000_000;

const amount = (max: number, label: string) =>
  z.coerce
    .number(`Enter ${label}.`)
    .refine(Number.isFinite, `Enter ${label}.`)
    .min(0, "Cannot be negative.")
    .max(max, `At most ${max.toLocaleString("en-US")}; that looks like a typo.`);

export const modelNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a model name.")
  .max(100, "At most 100 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, "Letters, digits and . _ : / - only.");

export const priceInputSchema = z.object({
  model: modelNameSchema,
  inputPerMTok: amount(MAX_PRICE_PER_MTOK, "a price per million input tokens"),
  outputPerMTok: amount(MAX_PRICE_PER_MTOK, "a price per million output tokens"),
  cachedInputPerMTok: amount(MAX_PRICE_PER_MTOK, "a price per million cached input tokens"),
});
export type PriceInput = z.infer<typeof priceInputSchema>;

export const budgetScopeSchema = z
  .string()
  .trim()
  .max(200)
  .refine((s) => parseScope(s) !== null, "Choose what the budget applies to.");

export const budgetInputSchema = z
  .object({ scope: budgetScopeSchema, limitUsd: z.coerce.number("Enter an amount in USD.") })
  .superRefine((input, ctx) => {
    const kind = parseScope(input.scope)?.kind;
    const max = kind?.startsWith("conversation") ? MAX_CONVERSATION_BUDGET_USD : MAX_DAILY_BUDGET_USD;
    const issue = (message: string) => ctx.addIssue({ code: "custom", path: ["limitUsd"], message });
    if (!Number.isFinite(input.limitUsd)) issue("Enter an amount in USD.");
    else if (input.limitUsd <= 0) issue("Must be more than $0.");
    else if (input.limitUsd > max) issue(`At most $${max.toLocaleString("en-US")}; that looks like a typo.`);
  });
export type BudgetInput = z.infer<typeof budgetInputSchema>;
