import { z } from "zod";
import { type RoutingDecision, type RoutingRequest } from "@/lib/runtime";

/**
 * What the SIMULATOR answers as the model router (lib/runtime/routing): keyword and length rules
 * standing in for a fast model's judgement of complexity. Deterministic for the demo and tests.
 */

const requestSchema = z.object({ agent: z.string(), allowed: z.array(z.string()), request: z.string() });

const simple =
  /\b(hours|open|weekend|holiday|invoice|download|status of order|where (is|can)|reset (my )?password|forgot (my )?password|install)\b/i;
const hard = /\b(broken|damaged|legal|contract|lawyer|data loss|lost (all|my) data|security|breach|several|multiple|and also|third time)\b/i;

export function routeByComplexity(input: string): RoutingDecision {
  let parsed: RoutingRequest | null = null;
  try {
    const value: unknown = JSON.parse(input);
    const result = requestSchema.safeParse(value);
    parsed = result.success ? (result.data as RoutingRequest) : null;
  } catch {
    parsed = null;
  }
  if (!parsed) return { tier: "standard", reason: "Simulated router: unreadable request, default tier." };
  const text = parsed.request;
  const questions = (text.match(/\?/g) ?? []).length;
  if (hard.test(text) || questions >= 3 || text.length > 400)
    return { tier: "strong", reason: "Simulated router: multi-part or high-stakes request." };
  if (simple.test(text) && text.length <= 160 && questions <= 1)
    return { tier: "fast", reason: "Simulated router: a short, common question." };
  return { tier: "standard", reason: "Simulated router: needs tools or several steps." };
}
