import { describe, expect, it } from "vitest";
import { prepareRoutingOverview } from "@/lib/metrics/routing";

const prices = {
  fast: { inputPerMTok: 0.1, outputPerMTok: 0.4, cachedInputPerMTok: 0.05 },
  standard: { inputPerMTok: 1, outputPerMTok: 4, cachedInputPerMTok: 0.5 },
  strong: { inputPerMTok: 10, outputPerMTok: 40, cachedInputPerMTok: 5 },
};

describe("routing overview (pure)", () => {
  it("splits decisions per tier and prices the same tokens on the range's top tier", () => {
    const overview = prepareRoutingOverview(
      [
        { agent: "technical", tier: "fast", range: "fast..strong", decisions: 3, latestAt: 2 },
        { agent: "technical", tier: "standard", range: "fast..strong", decisions: 1, latestAt: 1 },
      ],
      [
        { agent: "technical", tier: "fast", calls: 3, inputTokens: 3_000, cachedInputTokens: 0, outputTokens: 300, costUsd: 0.00042 },
        { agent: "technical", tier: "standard", calls: 1, inputTokens: 1_000, cachedInputTokens: 0, outputTokens: 100, costUsd: 0.0014 },
      ],
      { calls: 4, costUsd: 0.0001 },
      (tier) => prices[tier],
    );
    expect(overview.rows).toHaveLength(1);
    const [row] = overview.rows;
    expect(row).toMatchObject({ agent: "technical", range: "fast..strong", decisions: 4, topTier: "strong" });
    expect(row!.share).toEqual({ fast: 0.75, standard: 0.25, strong: 0 });
    expect(row!.costUsd).toBeCloseTo(0.00182, 12);
    // 4,000 input and 400 output tokens at $10 / $40 per million.
    expect(row!.topTierCostUsd).toBeCloseTo(0.056, 12);
    expect(overview.savedUsd).toBeCloseTo(0.056 - 0.00182 - 0.0001, 12);
  });

  it("prices cached input tokens at the top tier's cached rate, as the real cost had them", () => {
    const overview = prepareRoutingOverview(
      [{ agent: "billing", tier: "fast", range: "fast..strong", decisions: 1, latestAt: 1 }],
      // 1,000 input tokens of which 800 were cached: 200 × $0.10 + 800 × $0.05 + 100 × $0.40 per million.
      [{ agent: "billing", tier: "fast", calls: 1, inputTokens: 1_000, cachedInputTokens: 800, outputTokens: 100, costUsd: 0.0001 }],
      { calls: 1, costUsd: 0 },
      (tier) => prices[tier],
    );
    // On the top tier: 200 × $10 + 800 × $5 + 100 × $40 per million, not 1,000 × $10.
    expect(overview.rows[0]!.topTierCostUsd).toBeCloseTo(0.01, 12);
    expect(overview.savedUsd).toBeCloseTo(0.01 - 0.0001, 12);
  });

  it("shows the range of the agent's newest decision when its range changed in the window", () => {
    const overview = prepareRoutingOverview(
      [
        // Once allowed the strong tier; narrowed since. "fast..strong" sorts after "fast..standard".
        { agent: "billing", tier: "fast", range: "fast..strong", decisions: 5, latestAt: 1_000 },
        { agent: "billing", tier: "standard", range: "fast..standard", decisions: 2, latestAt: 2_000 },
      ],
      [{ agent: "billing", tier: "fast", calls: 1, inputTokens: 1_000, cachedInputTokens: 0, outputTokens: 0, costUsd: 0.0001 }],
      { calls: 7, costUsd: 0 },
      (tier) => prices[tier],
    );
    expect(overview.rows[0]).toMatchObject({ range: "fast..standard", topTier: "standard", decisions: 7 });
    expect(overview.rows[0]!.topTierCostUsd).toBeCloseTo(0.001, 12);
  });

  it("says the saving is unknown when a top tier has no price, and is empty without decisions", () => {
    const unpriced = prepareRoutingOverview(
      [{ agent: "billing", tier: "fast", range: "fast..strong", decisions: 1, latestAt: 1 }],
      [{ agent: "billing", tier: "fast", calls: 1, inputTokens: 10, cachedInputTokens: 0, outputTokens: 1, costUsd: 0 }],
      { calls: 1, costUsd: 0 },
      () => null,
    );
    expect(unpriced.rows[0]?.topTierCostUsd).toBeNull();
    expect(unpriced.savedUsd).toBeNull();
    expect(prepareRoutingOverview([], [], { calls: 0, costUsd: 0 }, () => null)).toEqual({ rows: [], routerCalls: 0, routerCostUsd: 0, savedUsd: 0 });
  });
});
