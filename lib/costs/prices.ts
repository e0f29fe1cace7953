import { callCostUsd, type ModelPrice } from "@/lib/runtime";

export type { ModelPrice } from "@/lib/runtime";

/**
 * The built-in prices, USD per million tokens: public list prices at the time of writing and the
 * SIMULATOR's demo prices (so the demo's cost charts have something to show; no money is spent).
 * They seed version 1 of the `model_prices` table, which admins edit in the console; this copy
 * only prices events recorded before a call carried its own cost.
 */
export const builtInPrices: Readonly<Record<string, ModelPrice>> = {
  "simulator/fast": { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  "simulator/standard": { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  "simulator/strong": { inputPerMTok: 10, outputPerMTok: 40, cachedInputPerMTok: 5 },
  "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
  "gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  o3: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  "claude-3-5-haiku-latest": { inputPerMTok: 0.8, outputPerMTok: 4, cachedInputPerMTok: 0.08 },
  "claude-haiku-4-5": { inputPerMTok: 1, outputPerMTok: 5, cachedInputPerMTok: 0.1 },
  "claude-sonnet-4-5": { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
  "claude-opus-4-1": { inputPerMTok: 15, outputPerMTok: 75, cachedInputPerMTok: 1.5 },
  "claude-opus-4-5": { inputPerMTok: 5, outputPerMTok: 25, cachedInputPerMTok: 0.5 },
};

/**
 * The price of a model in `table`, matching a dated variant (`gpt-4.1-2025-04-14`) to the
 * longest family name it starts with.
 */
export function matchPrice<T>(table: Readonly<Record<string, T>>, model: string | null | undefined): T | null {
  if (!model) return null;
  const exact = table[model];
  if (exact) return exact;
  const family = Object.keys(table)
    .filter((k) => model.startsWith(`${k}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? (table[family] ?? null) : null;
}

/** The built-in price of a model. */
export function priceOf(model: string | null | undefined): ModelPrice | null {
  return matchPrice(builtInPrices, model);
}

/** Cost of one call in USD, or null when the model has no known price (shown as a gap, not 0). */
export function costOf(
  model: string | null | undefined,
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number },
): number | null {
  const price = priceOf(model);
  return price ? callCostUsd(price, usage) : null;
}
