import type { Chain, ToolDefinition } from "@/lib/runtime";
import { contractsChain } from "./contracts-team";
import { pricingChain, pricingTools } from "./pricing-team";
import { supportChain, supportTools } from "./support-team";

/** Every agent team this deployment runs, and the tools they may use. */
export function demoChains(): Chain[] {
  return [supportChain, contractsChain, pricingChain];
}

/** The contract pipeline needs no tools: every stage reads the document it is given. */
export function demoTools(): ToolDefinition[] {
  return [...supportTools, ...pricingTools];
}
