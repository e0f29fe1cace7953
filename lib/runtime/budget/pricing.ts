import { type ModelTier } from "../agent";
import { type ModelRequest, type TokenUsage } from "../model";

/** USD per million tokens of one model, as in force at some moment. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cachedInputPerMTok: number;
}

/**
 * The Pricing port: which price is in force now and which concrete model a tier maps to (so a
 * call can be priced BEFORE it is made). Implementations read a versioned price table; the
 * runtime only does arithmetic with what they return.
 */
export interface Pricing {
  /** The price in force now for a concrete model, or null when it has none (cost unknown). */
  priceOf(model: string): ModelPrice | null;
  /** The concrete model the provider uses for a tier, e.g. `simulator/fast` or `gpt-4.1-mini`. */
  modelFor(tier: ModelTier): string;
}

/** Output tokens assumed for a call whose agent sets no `maxOutputTokens`. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;

/** Cost in USD of a call from its real token counts. Cached input tokens are part of `inputTokens`. */
export function callCostUsd(
  price: ModelPrice,
  usage: TokenUsage & { readonly cachedInputTokens?: number },
): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  return (
    ((usage.inputTokens - cached) * price.inputPerMTok +
      cached * price.cachedInputPerMTok +
      usage.outputTokens * price.outputPerMTok) /
    1_000_000
  );
}

/**
 * An upper bound of what a call can cost, known before it is made: every character of the prompt
 * counted as a third of a token (tokenisers average about four characters a token) and the full
 * output allowance. Budgets reserve this much, so they overshoot by at most one call's bound.
 */
export function maxCallCostUsd(price: ModelPrice, request: ModelRequest): number {
  const promptChars =
    request.agent.instructions.length +
    JSON.stringify(request.messages).length +
    request.tools.reduce((sum, tool) => sum + tool.name.length + tool.description.length + 200, 0);
  const inputTokens = Math.ceil(promptChars / 3) + 16;
  const outputTokens = request.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  return callCostUsd(price, { inputTokens, outputTokens });
}
