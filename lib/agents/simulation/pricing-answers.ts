import { z } from "zod";
import { average, catalogItem, DEFAULT_SKU } from "../pricing-catalog";
import {
  type PricingSignal,
  pricingRequestSchema,
  pricingSignalSchema,
  type priceRecommendationSchema,
} from "../pricing-team";

/**
 * What the SIMULATOR answers for the pricing team: deterministic rules over the request, the
 * tools' (simulated) market data and the shared context, each answer valid against its schema.
 */

type PricingRequest = z.infer<typeof pricingRequestSchema>;
type Direction = PricingSignal["direction"];

const peerInputSchema = z.object({
  message: z.unknown(),
  context: z.record(z.string(), z.unknown()).default({}),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The pricing lead: the first SKU-like token and dollar amount of the request. */
export function readPricingRequest(text: string): PricingRequest {
  const sku = /\b([A-Z]{2,6}-\d{2,6})\b/.exec(text)?.[1] ?? DEFAULT_SKU;
  const price = /\$\s?(\d+(?:\.\d{1,2})?)/.exec(text)?.[1];
  const currentPrice = price ? Number(price) : catalogItem(sku).listPrice;
  return { sku, currentPrice, question: text.slice(0, 2000) };
}

/** A peer's message and the shared context; the message is a request or another peer's signal. */
function peerInput(text: string): { request: PricingRequest; context: Record<string, unknown> } {
  const parsed = peerInputSchema.safeParse(parseJson(text));
  const message = parsed.success ? parsed.data.message : undefined;
  const request = pricingRequestSchema.safeParse(message);
  const signal = pricingSignalSchema.safeParse(message);
  const fallback = readPricingRequest(text);
  const found = request.success
    ? request.data
    : signal.success
      ? { sku: signal.data.sku, currentPrice: signal.data.currentPrice, question: "" }
      : fallback;
  return { request: found, context: parsed.success ? parsed.data.context : {} };
}

export function pricingToolArgs(text: string): { sku: string } {
  return { sku: peerInput(text).request.sku };
}

const versus = (current: number, reference: number): Direction =>
  reference > current * 1.05 ? "raise" : reference < current * 0.95 ? "lower" : "hold";

const pct = (n: number) => `${Math.round(n * 100)}%`;

/** The market agent with competitor prices, or its stand-in with the SKU's own price history. */
export function referenceSignal(text: string, result: Record<string, unknown>): PricingSignal {
  const { request } = peerInput(text);
  const competitors = z.array(z.object({ price: z.number() })).safeParse(result.competitors);
  const history = z.array(z.object({ price: z.number() })).safeParse(result.prices);
  const basis = competitors.success ? "market" : "historical";
  const prices = (competitors.success ? competitors.data : history.success ? history.data : []).map((p) => p.price);
  const reference = prices.length > 0 ? average(prices) : request.currentPrice;
  const direction = versus(request.currentPrice, reference);
  const source = basis === "market" ? "competitors average" : "the last four weeks averaged";
  return {
    sku: request.sku,
    currentPrice: request.currentPrice,
    direction,
    rationale: `${source} $${reference} against our $${request.currentPrice}`,
    basis,
    context: { marketPrice: reference },
  };
}

export function demandSignal(text: string): PricingSignal {
  const { request } = peerInput(text);
  const q = request.question;
  const index = /sold out|surge|popular|holiday|waitlist|back.?order/i.test(q)
    ? 1.3
    : /slow|overstock|clearance|returns|not selling/i.test(q)
      ? 0.7
      : 1;
  const direction: Direction = index > 1.1 ? "raise" : index < 0.9 ? "lower" : "hold";
  return {
    sku: request.sku,
    currentPrice: request.currentPrice,
    direction,
    rationale: `demand index ${index}`,
    basis: "demand",
    context: { demandIndex: index },
  };
}

export function marginSignal(text: string): PricingSignal {
  const { request, context } = peerInput(text);
  const { unitCost } = catalogItem(request.sku);
  const margin = (request.currentPrice - unitCost) / request.currentPrice;
  const market = typeof context.marketPrice === "number" ? context.marketPrice : undefined;
  // Thin margins want a higher price unless the market is already below us.
  const direction: Direction =
    margin < 0.3 ? (market !== undefined && market < request.currentPrice ? "hold" : "raise") : margin > 0.65 ? "lower" : "hold";
  const marketNote = market === undefined ? "" : `, market at $${market}`;
  return {
    sku: request.sku,
    currentPrice: request.currentPrice,
    direction,
    rationale: `margin ${pct(margin)} at unit cost $${unitCost}${marketNote}`,
    basis: "margin",
    context: { marginPct: Math.round(margin * 100) },
  };
}

const groupResultSchema = z.object({
  answer: pricingSignalSchema.optional(),
  outputs: z.record(z.string(), z.unknown()),
  context: z.record(z.string(), z.unknown()),
  input: pricingRequestSchema.optional(),
});

export function recommendPrice(text: string): z.infer<typeof priceRecommendationSchema> {
  const group = groupResultSchema.safeParse(parseJson(text));
  const request = group.data?.input ?? readPricingRequest(text);
  const direction = group.data?.answer?.direction ?? "hold";
  const basis = pricingSignalSchema.safeParse(group.data?.outputs.market).data?.basis === "historical" ? "historical" : "market";
  const { unitCost } = catalogItem(request.sku);
  const step = direction === "raise" ? 1.05 : direction === "lower" ? 0.95 : 1;
  const floor = Math.round(unitCost * 1.15 * 100) / 100;
  const recommendedPrice = Math.max(floor, Math.round(request.currentPrice * step * 100) / 100);
  const source = basis === "market" ? "live competitor prices" : "our own price history (competitor data unavailable)";
  return {
    reply: `Recommendation for ${request.sku}: ${direction} from $${request.currentPrice} to $${recommendedPrice}, based on ${source}, demand and margin.`,
    sku: request.sku,
    currentPrice: request.currentPrice,
    recommendedPrice,
    direction,
    basis,
    confidence: basis === "market" ? 0.8 : 0.6,
  };
}
