import { z } from "zod";
import { defineAgent, defineTool, type FallbackLadder, hybrid, peerGroup, type ToolDefinition } from "@/lib/runtime";
import { catalogItem, competitorPrices, priceHistory } from "./pricing-catalog";

export const pricingDirections = ["raise", "hold", "lower"] as const;

/** What the pricing lead makes of the request: the product and the price in force. */
export const pricingRequestSchema = z.object({
  sku: z.string().min(1).max(40),
  currentPrice: z.number().positive(),
  question: z.string().max(2000),
});

/** Each analyst's signal; `context` writes its finding into the shared context store. */
export const pricingSignalSchema = z.object({
  sku: z.string(),
  currentPrice: z.number().positive(),
  direction: z.enum(pricingDirections),
  rationale: z.string().min(1).max(500),
  /** Where the market view came from: live competitor prices, or history when they were unavailable. */
  basis: z.enum(["market", "historical", "demand", "margin"]),
  context: z.record(z.string(), z.number()).optional(),
});
export type PricingSignal = z.infer<typeof pricingSignalSchema>;

export const priceRecommendationSchema = z.object({
  reply: z.string().min(1).max(2000),
  sku: z.string(),
  currentPrice: z.number().positive(),
  recommendedPrice: z.number().positive(),
  direction: z.enum(pricingDirections),
  basis: z.enum(["market", "historical"]),
  confidence: z.number().min(0).max(1),
});

const skuArgs = z.object({ sku: z.string().min(1).max(40) });

const signalAgent = (name: string, instructions: string, tools: string[] = []) =>
  defineAgent({
    name,
    version: 1,
    modelTier: "fast",
    instructions,
    tools,
    outputSchema: pricingSignalSchema,
    limits: { maxTurns: 3 },
  });

const intake = defineAgent({
  name: "pricing-lead",
  version: 1,
  modelTier: "fast",
  instructions:
    "Read the pricing request: which product (SKU) and the price it sells at now. Restate the question.",
  outputSchema: pricingRequestSchema,
  limits: { maxTurns: 1 },
});

const market = signalAgent(
  "market",
  "Compare the product's price with competitors' (competitor_prices) and say whether to raise, hold or lower it. Record the market price in context.marketPrice.",
  ["competitor_prices"],
);

const demand = signalAgent(
  "demand",
  "Judge demand for the product from the request and say whether to raise, hold or lower its price. Record the demand index in context.demandIndex.",
);

const margin = signalAgent(
  "margin",
  "Check the product's margin at its current price against its unit cost, using the shared market price when there is one. Record the margin in context.marginPct.",
);

/** Stands in for the market agent when its breaker is open: the same signal, from history. */
const priceHistoryAgent = signalAgent(
  "price-history",
  "Competitor prices are unavailable. Compare the product's price with its own recent prices (price_history) and say whether to raise, hold or lower it. Record the historical average in context.marketPrice.",
  ["price_history"],
);

const recommender = defineAgent({
  name: "recommender",
  version: 1,
  modelTier: "strong",
  instructions:
    "Recommend one price for the product from the analysts' settled direction, their signals and the shared context. Never go below unit cost plus 15%. Say whether the market view was live or historical.",
  outputSchema: priceRecommendationSchema,
  limits: { maxTurns: 1 },
});

/**
 * The market agent's failures fall to recent price history; anyone else's go to a person, since
 * no other agent could give their signal.
 */
export const pricingFallback: FallbackLadder = {
  rungs: [{ kind: "agent", agent: "price-history" }, { kind: "human" }],
  skipAgentRungs: ["pricing-lead", "demand", "margin", "recommender"],
};

/**
 * Dynamic pricing as a hybrid: the pricing lead and the recommender are the orchestrated,
 * audited critical path; market, demand and margin analyse as a peer group in between. Margin
 * hears the analysts' signals, reads whatever they have shared by then (the market price, when
 * it came first) and solves its sub-problem once; the majority direction goes on, and a
 * three-way split goes to a person.
 */
export const pricingChain = hybrid({
  name: "pricing",
  stages: [
    intake,
    peerGroup({
      name: "analysts",
      entryTopic: "request",
      answerTopic: "signal",
      peers: [
        { agent: market, subscribes: ["request"], publishes: "signal" },
        { agent: demand, subscribes: ["request"], publishes: "signal" },
        { agent: margin, subscribes: ["signal"], publishes: "signal" },
      ],
      writers: { marketPrice: ["market"], demandIndex: ["demand"], marginPct: ["margin"] },
      conflict: {
        rule: "majority",
        vote: (signal) => pricingSignalSchema.safeParse(signal).data?.direction ?? "invalid",
      },
    }),
    recommender,
  ],
  agents: [priceHistoryAgent],
  fallback: pricingFallback,
  limits: { maxSteps: 10, maxHandoffs: 0, budgetMs: 120_000, maxHops: 6 },
});

export const pricingTools: ToolDefinition[] = [
  defineTool({
    name: "competitor_prices",
    description: "Current competitor prices (USD) for a SKU.",
    argsSchema: skuArgs,
    sideEffect: "read",
    execute: ({ sku }) => Promise.resolve({ sku, competitors: competitorPrices(sku) }),
  }),
  defineTool({
    name: "price_history",
    description: "The SKU's own prices (USD) over the last four weeks.",
    argsSchema: skuArgs,
    sideEffect: "read",
    execute: ({ sku }) =>
      Promise.resolve({ sku, prices: priceHistory(sku), unitCost: catalogItem(sku).unitCost }),
  }),
];
