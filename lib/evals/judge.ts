import { z } from "zod";
import { defineAgent, invokeOnce, type Model, type ModelInvoker, type ModelTier, ProviderError } from "@/lib/runtime";

export const judgeVerdictSchema = z.object({
  score: z.number().min(0).max(1),
  rationale: z.string().min(1).max(2000),
});
export type JudgeVerdict = z.infer<typeof judgeVerdictSchema>;

/** The rubric the judge scores against; part of its instructions, never of customer text. */
export const judgeRubric = [
  "Relevance: the reply addresses what the customer asked.",
  "Specificity: it gives concrete, actionable information rather than a generic deflection.",
  "Grounding: technical answers cite the knowledge-base article they rely on.",
  "Policy: no promises of discounts, credits or refunds that no tool granted; no personal data.",
  "Tone: polite and brief.",
];

/** The LLM-as-judge. The request and reply travel as the user message: they are untrusted text. */
export const judgeAgent = defineAgent({
  name: "judge",
  version: 1,
  modelTier: "standard",
  instructions: `You grade one customer-support reply. Score it from 0 to 1 against this rubric and explain the score in two or three sentences:\n- ${judgeRubric.join("\n- ")}`,
  outputSchema: judgeVerdictSchema,
  limits: { maxTurns: 1 },
});

export interface JudgeInput {
  request: string;
  agent: string;
  reply: unknown;
}

/**
 * Asks the model port for a verdict. Returns null (the checks alone then score the reply) when the
 * provider fails or answers off-schema twice; evaluation must never take a live path down with it.
 * `invoke` is the process's batch-priority invoker, so judging waits behind live calls in the rate
 * limiter and respects open breakers like any other call to the provider.
 */
export async function judgeReply(
  model: Model,
  input: JudgeInput,
  tier: ModelTier = judgeAgent.modelTier,
  invoke: ModelInvoker = invokeOnce,
): Promise<(JudgeVerdict & { model: string }) | null> {
  const content = JSON.stringify(input);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const request = { agent: judgeAgent, tier, messages: [{ role: "user" as const, content }], tools: [], outputSchema: judgeVerdictSchema };
      const response = await invoke(model, request, { onRetry: () => {} });
      const raw: unknown = typeof response.output === "string" ? safeJson(response.output) : response.output;
      const parsed = judgeVerdictSchema.safeParse(raw);
      if (parsed.success) return { ...parsed.data, model: response.model };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
    }
  }
  return null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
