import { getDatabase } from "@/db/client";
import { demoChains, demoTools } from "@/lib/agents";
import { PgResponseCache } from "@/lib/cache/pg-response-cache";
import { priceBookSource } from "@/lib/costs/price-book";
import { PgSpendGate } from "@/lib/costs/spend-gate";
import { getEnv } from "@/lib/env";
import { createEmbedder, createModel, tierModels } from "@/lib/providers";
import { AgentCatalog } from "@/lib/rollouts/catalog";
import { RolloutRouting } from "@/lib/rollouts/routing";
import { guardTools, systemClock, ToolRegistry } from "@/lib/runtime";
import { createResilience } from "./resilience";
import type { RuntimeParts } from "./runtime";
import { simulatorSettingsSource } from "./simulator-settings";

// On globalThis, like the database client: building the parts starts the breaker poller and its
// LISTEN, and a dev hot reload must reuse them rather than leave one more running each time.
const globalForParts = globalThis as unknown as { __switchyardRuntimeParts?: RuntimeParts };

/** The agent teams of lib/agents on the model SWITCHYARD_PROVIDER chooses (lib/providers). */
export function defaultRuntimeParts(): RuntimeParts {
  if (globalForParts.__switchyardRuntimeParts) return globalForParts.__switchyardRuntimeParts;
  const { breakers, invokeModel, invokeModelFor } = createResilience(getDatabase(), getEnv());
  const catalog = new AgentCatalog(getDatabase, demoChains());
  const defaults: RuntimeParts = {
    // A getter: the catalog lists console-created versions as runs come to need them.
    get chains() {
      return catalog.chains;
    },
    tools: new ToolRegistry(demoTools()),
    guardedTools: new ToolRegistry(guardTools(demoTools(), breakers, systemClock)),
    model: createModel(getEnv(), simulatorSettingsSource(getDatabase())),
    invokeModel,
    invokeModelFor,
    pricing: priceBookSource(getDatabase(), { tierModels: tierModels(getEnv()) }),
    spendGate: new PgSpendGate(getDatabase()),
    versions: new RolloutRouting(catalog),
    cache: new PgResponseCache(getDatabase(), createEmbedder(getEnv())),
  };
  globalForParts.__switchyardRuntimeParts = defaults;
  return defaults;
}
