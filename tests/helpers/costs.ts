import { supportChain, supportTools } from "@/lib/agents/support-team";
import { priceBookSource, type PriceBook } from "@/lib/costs/price-book";
import { SimulatorModel, type SimulatorOptions } from "@/lib/providers/simulator";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { type Chain, type SpendGate, ToolRegistry } from "@/lib/runtime";
import { testDb } from "./db";

export const simulatorTiers = { fast: "simulator/fast", standard: "simulator/standard", strong: "simulator/strong" } as const;

/** The support team on the simulator, priced from the database's price table. */
export async function pricedParts(options: { spendGate?: SpendGate; simulator?: SimulatorOptions; chain?: Chain } = {}) {
  const pricing: PriceBook = priceBookSource(testDb(), { tierModels: simulatorTiers, ttlMs: 60_000 });
  await pricing.ready;
  const parts: RuntimeParts = {
    chains: [options.chain ?? supportChain],
    tools: new ToolRegistry(supportTools),
    model: new SimulatorModel(options.simulator ?? {}),
    pricing,
    spendGate: options.spendGate,
  };
  return { parts, pricing };
}
