"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { updateSimulatorSettings } from "@/lib/dal/simulator-settings";
import { type FaultKind, faultKinds, MAX_FAULT_RULES, type SimulatorConfig, simulatorConfigSchema } from "@/lib/providers/simulator/config";

// Form fields are named after the config's paths (`latency.p95Ms`, `faults.0.rates.timeout`), so
// a zod issue's path is exactly the name of the field it belongs to.
const whole = z
  .string("Enter a number.")
  .trim()
  .min(1, "Enter a number.")
  .transform((v, ctx) => {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    ctx.addIssue({ code: "custom", message: "Enter a whole number." });
    return z.NEVER;
  });

// Rates are entered as percentages; an empty cell means 0%. 0.01% resolution is finer than any
// test of a fault path needs.
const percent = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    const n = v ? Number(v) : 0;
    if (!Number.isFinite(n)) ctx.addIssue({ code: "custom", message: "Enter a percentage." });
    else if (n < 0 || n > 100) ctx.addIssue({ code: "custom", message: "Between 0 and 100%." });
    else return Math.round(n * 100) / 10_000;
    return z.NEVER;
  });

// "all" (or nothing) widens the rule's target; names and tiers are checked by the config schema.
const allOr = z
  .string()
  .optional()
  .transform((v) => (!v || v === "all" ? undefined : v));

const ruleFormSchema = z.object({
  target: z.object({ agent: allOr, tier: allOr }),
  rates: z.object(Object.fromEntries(faultKinds.map((k) => [k, percent])) as Record<FaultKind, typeof percent>),
  retryAfterMs: whole,
});

const simulatorFormSchema = z
  .preprocess(
    (form) => nestForm(form as Record<string, string>),
    z.object({
      seed: whole,
      latency: z.object({ medianMs: whole, p95Ms: whole, maxMs: whole }),
      timeoutMs: whole,
      faults: z.array(ruleFormSchema).max(MAX_FAULT_RULES, `At most ${MAX_FAULT_RULES} rules.`),
    }),
  )
  // The stored shape's own rules (bounds, p95 ≥ median, a rule's rates ≤ 100%) apply on top,
  // reported on the same paths, which are the form's field names.
  .transform((form, ctx): SimulatorConfig => {
    const parsed = simulatorConfigSchema.safeParse(form);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    }
    return z.NEVER;
  });

/** Flat form entries → the config's shape; rules are ordered by their index in the field names. */
function nestForm(flat: Record<string, string>) {
  const indices = [
    ...new Set(
      Object.keys(flat)
        .map((k) => /^faults\.(\d{1,3})\./.exec(k)?.[1])
        .filter((i): i is string => i !== undefined)
        .map(Number),
    ),
  ].sort((a, b) => a - b);
  return {
    seed: flat.seed,
    latency: { medianMs: flat["latency.medianMs"], p95Ms: flat["latency.p95Ms"], maxMs: flat["latency.maxMs"] },
    timeoutMs: flat.timeoutMs,
    faults: indices.map((i) => ({
      target: { agent: flat[`faults.${i}.target.agent`], tier: flat[`faults.${i}.target.tier`] },
      rates: Object.fromEntries(faultKinds.map((k) => [k, flat[`faults.${i}.rates.${k}`]])),
      retryAfterMs: flat[`faults.${i}.retryAfterMs`],
    })),
  };
}

/** Replaces the simulator's latency and fault rules; every worker applies them within ~1 s. */
export const updateSimulatorSettingsAction = formAction("simulator:write", simulatorFormSchema, async (input, actor) => {
  const config = await updateSimulatorSettings(actor, input);
  revalidatePath("/settings");
  return { faultRules: config.faults.length };
});
