import { callCostUsd, type ModelPrice, type ModelTier, modelTiers } from "@/lib/runtime";

/** Routing decisions of one agent on one tier in a window (from `routing` spans). */
export interface RoutingDecisionCount {
  agent: string;
  tier: string;
  /** `min..max`, as recorded with the decision. */
  range: string;
  decisions: number;
  /** When the newest of these decisions was made (epoch ms): the agent's current range is its. */
  latestAt: number;
}

/** The LLM calls of routed activations of one agent on one tier (from `llm` spans). */
export interface RoutedCallAggregate {
  agent: string;
  tier: string;
  calls: number;
  /** Input tokens in total, the cached ones (priced at the cached rate) included. */
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface RoutingRow {
  agent: string;
  range: string;
  decisions: number;
  /** Share of decisions per tier, 0–1; tiers outside the range are 0. */
  share: Record<ModelTier, number>;
  /** What the routed calls cost. */
  costUsd: number;
  topTier: ModelTier;
  /** The same calls priced on the range's top tier; null when that tier's model has no price. */
  topTierCostUsd: number | null;
}

export interface RoutingOverview {
  rows: RoutingRow[];
  /** The router's own calls: what routing costs. */
  routerCalls: number;
  routerCostUsd: number;
  /** Σ top-tier cost − (routed cost + router cost), when every top tier has a price. */
  savedUsd: number | null;
}

const isTier = (t: string): t is ModelTier => (modelTiers as readonly string[]).includes(t);

/**
 * Per routed agent: how its decisions split over the tiers and what its calls cost against the
 * same calls all on the top tier of its range (same tokens, cached ones at the cached rate as
 * their real cost had them, at the top tier's price now). The range is the newest decision's: an
 * agent whose range changed in the window is shown with the one it has now. Pure.
 */
export function prepareRoutingOverview(
  decisions: readonly RoutingDecisionCount[],
  calls: readonly RoutedCallAggregate[],
  router: { calls: number; costUsd: number },
  priceOfTier: (tier: ModelTier) => ModelPrice | null,
): RoutingOverview {
  const agents = [...new Set(decisions.map((d) => d.agent))].sort();
  const rows = agents.map((agent): RoutingRow => {
    const mine = decisions.filter((d) => d.agent === agent);
    const total = mine.reduce((sum, d) => sum + d.decisions, 0);
    const range = mine.reduce((latest, d) => (d.latestAt > latest.latestAt ? d : latest)).range;
    const top = range.split("..")[1] ?? "";
    const topTier: ModelTier = isTier(top) ? top : "strong";
    const share = { fast: 0, standard: 0, strong: 0 };
    for (const d of mine) if (isTier(d.tier)) share[d.tier] += total ? d.decisions / total : 0;
    const agentCalls = calls.filter((c) => c.agent === agent);
    const price = priceOfTier(topTier);
    const topTierCostUsd = price
      ? agentCalls.reduce((sum, c) => sum + callCostUsd(price, c), 0)
      : null;
    return { agent, range, decisions: total, share, costUsd: agentCalls.reduce((s, c) => s + c.costUsd, 0), topTier, topTierCostUsd };
  });
  const priced = rows.every((r) => r.topTierCostUsd !== null);
  const savedUsd = priced
    ? rows.reduce((sum, r) => sum + (r.topTierCostUsd ?? 0) - r.costUsd, 0) - router.costUsd
    : null;
  return { rows, routerCalls: router.calls, routerCostUsd: router.costUsd, savedUsd };
}
