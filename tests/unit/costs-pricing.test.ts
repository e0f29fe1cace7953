import { describe, expect, it } from "vitest";
import { pricesInForce, type PriceVersion } from "@/lib/costs/price-book";
import { costOf, matchPrice } from "@/lib/costs/prices";
import { callCostUsd, defineAgent, maxCallCostUsd, type ModelRequest } from "@/lib/runtime";

const price = { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 };

describe("callCostUsd", () => {
  it("charges input, output and cached input per million tokens", () => {
    expect(callCostUsd(price, { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(2, 12);
    expect(callCostUsd(price, { inputTokens: 0, outputTokens: 500_000 })).toBeCloseTo(4, 12);
    // 400k of the 1M input tokens were cached: 600k × 2 + 400k × 0.5.
    expect(callCostUsd(price, { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 400_000 })).toBeCloseTo(1.4, 12);
  });

  it("never counts more cached tokens than input tokens", () => {
    expect(callCostUsd(price, { inputTokens: 10, outputTokens: 0, cachedInputTokens: 99 })).toBeCloseTo(10 * 0.5e-6, 15);
  });
});

describe("maxCallCostUsd", () => {
  const agent = defineAgent({ name: "writer", version: 1, instructions: "Write a reply.", limits: { maxOutputTokens: 100 } });
  const request = (content: string): ModelRequest => ({
    agent,
    tier: "standard",
    messages: [{ role: "user", content }],
    tools: [],
    maxOutputTokens: agent.limits.maxOutputTokens,
  });

  it("bounds a call from above: the prompt at three characters a token plus the whole output allowance", () => {
    const bound = maxCallCostUsd(price, request("x".repeat(3_000)));
    // At least 1,000 prompt tokens and all 100 output tokens.
    expect(bound).toBeGreaterThanOrEqual(callCostUsd(price, { inputTokens: 1_000, outputTokens: 100 }));
    // Any realistic tokenisation (≥ 3 characters a token) of that prompt costs less.
    const prompt = "Write a reply.".length + JSON.stringify(request("x".repeat(3_000)).messages).length;
    expect(callCostUsd(price, { inputTokens: Math.ceil(prompt / 3), outputTokens: 100 })).toBeLessThanOrEqual(bound);
  });

  it("grows with the prompt", () => {
    expect(maxCallCostUsd(price, request("x".repeat(9_000)))).toBeGreaterThan(maxCallCostUsd(price, request("x")));
  });
});

describe("pricesInForce", () => {
  const v = (model: string, version: number, input: number, validFrom: number): PriceVersion => ({
    model,
    version,
    inputPerMTok: input,
    outputPerMTok: input * 4,
    cachedInputPerMTok: input / 2,
    validFrom,
  });

  it("takes, per model, the highest version already valid", () => {
    const versions = [v("a", 1, 1, 0), v("a", 2, 2, 100), v("a", 3, 3, 200), v("b", 1, 10, 0)];
    expect(pricesInForce(versions, 150)).toEqual({
      a: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 1 },
      b: { inputPerMTok: 10, outputPerMTok: 40, cachedInputPerMTok: 5 },
    });
    expect(pricesInForce(versions, 200).a?.inputPerMTok).toBe(3);
    expect(pricesInForce(versions, 50).a?.inputPerMTok).toBe(1);
  });

  it("has no price for a model whose only version is in the future", () => {
    expect(pricesInForce([v("a", 1, 1, 1_000)], 999)).toEqual({});
  });
});

describe("matchPrice", () => {
  it("matches a dated variant to the longest family", () => {
    const table = { "gpt-4.1": 1, "gpt-4.1-mini": 2 };
    expect(matchPrice(table, "gpt-4.1-2025-04-14")).toBe(1);
    expect(matchPrice(table, "gpt-4.1-mini-2025-04-14")).toBe(2);
    expect(matchPrice(table, "gpt-5")).toBeNull();
    expect(costOf("unknown-model", { inputTokens: 5, outputTokens: 5 })).toBeNull();
  });
});
