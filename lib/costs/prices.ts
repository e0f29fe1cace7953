/**
 * USD per million tokens. The defaults below are public list prices at the time of writing and
 * the SIMULATOR's demo prices (so the demo's cost charts have something to show; no money is
 * spent). Admins will edit a versioned copy of this table in the console (cost governance issue).
 */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number;
}

const defaultPrices: Record<string, ModelPrice> = {
  "simulator/fast": { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  "simulator/standard": { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  "simulator/strong": { inputPerMTok: 10, outputPerMTok: 40, cachedInputPerMTok: 5 },
  "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
  "gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  o3: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  "claude-3-5-haiku-latest": { inputPerMTok: 0.8, outputPerMTok: 4, cachedInputPerMTok: 0.08 },
  "claude-sonnet-4-5": { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
  "claude-opus-4-1": { inputPerMTok: 15, outputPerMTok: 75, cachedInputPerMTok: 1.5 },
};

/** The price of a model, matching a dated variant (`gpt-4.1-2025-04-14`) to its family. */
export function priceOf(model: string | null | undefined): ModelPrice | null {
  if (!model) return null;
  if (defaultPrices[model]) return defaultPrices[model];
  const family = Object.keys(defaultPrices)
    .filter((k) => model.startsWith(`${k}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? defaultPrices[family]! : null;
}

/** Cost of one call in USD, or null when the model has no known price (shown as a gap, not 0). */
export function costOf(
  model: string | null | undefined,
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number },
): number | null {
  const price = priceOf(model);
  if (!price) return null;
  const cached = usage.cachedInputTokens ?? 0;
  return (
    ((usage.inputTokens - cached) * price.inputPerMTok +
      cached * price.cachedInputPerMTok +
      usage.outputTokens * price.outputPerMTok) /
    1_000_000
  );
}
