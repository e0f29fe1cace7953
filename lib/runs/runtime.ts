import type { Database } from "@/db/client";
import { demoChains, demoTools } from "@/lib/agents";
import { getDatabase } from "@/db/client";
import { getEnv } from "@/lib/env";
import { newId } from "@/lib/ids";
import { PgResponseCache } from "@/lib/cache/pg-response-cache";
import { priceBookSource } from "@/lib/costs/price-book";
import { PgSpendGate } from "@/lib/costs/spend-gate";
import { createEmbedder, createModel, tierModels } from "@/lib/providers";
import {
  type Chain,
  type Model,
  type Pricing,
  type ResponseCache,
  RunLoop,
  type RunObserver,
  type SpendGate,
  ToolRegistry,
} from "@/lib/runtime";
import { PgRunStore, type PgRunStoreOptions } from "./pg-run-store";
import { PgToolLedger } from "./pg-tool-ledger";
import { simulatorSettingsSource } from "./simulator-settings";

/** The agent teams, tools and model a process runs: everything but the stores. */
export interface RuntimeParts {
  chains: readonly Chain[];
  tools: ToolRegistry;
  model: Model;
  observer?: RunObserver;
  /** Prices every call and enables conversation budgets (lib/costs/price-book.ts). */
  pricing?: Pricing;
  /** Daily budgets across processes (lib/costs/spend-gate.ts). */
  spendGate?: SpendGate;
  /** Answers of agents that cache (lib/cache/pg-response-cache.ts). */
  cache?: ResponseCache;
}

/** The chain a conversation runs when the caller does not choose one. */
export const DEFAULT_CHAIN = "support";

let defaults: RuntimeParts | undefined;

/** The agent teams of lib/agents on the model SWITCHYARD_PROVIDER chooses (lib/providers). */
export function defaultRuntimeParts(): RuntimeParts {
  defaults ??= {
    chains: demoChains(),
    tools: new ToolRegistry(demoTools()),
    model: createModel(getEnv(), simulatorSettingsSource(getDatabase())),
    pricing: priceBookSource(getDatabase(), { tierModels: tierModels(getEnv()) }),
    spendGate: new PgSpendGate(getDatabase()),
    cache: new PgResponseCache(getDatabase(), createEmbedder(getEnv())),
  };
  return defaults;
}

/** A RunLoop whose every step commits through `db` (a pool or a transaction). */
export function createRunLoop(db: Database, parts: RuntimeParts, store: PgRunStoreOptions = {}): RunLoop {
  return new RunLoop({
    chains: parts.chains,
    tools: parts.tools,
    model: parts.model,
    observer: parts.observer,
    pricing: parts.pricing,
    spendGate: parts.spendGate,
    cache: parts.cache,
    store: new PgRunStore(db, store),
    ledger: new PgToolLedger(db),
    ids: { newId },
  });
}
