import type { Database } from "@/db/client";
import { demoChains, demoTools } from "@/lib/agents";
import { getDatabase } from "@/db/client";
import { getEnv } from "@/lib/env";
import { newId } from "@/lib/ids";
import { PgResponseCache } from "@/lib/cache/pg-response-cache";
import { priceBookSource } from "@/lib/costs/price-book";
import { PgSpendGate } from "@/lib/costs/spend-gate";
import { createEmbedder, createModel, tierModels } from "@/lib/providers";
import { AgentCatalog } from "@/lib/rollouts/catalog";
import { RolloutRouting } from "@/lib/rollouts/routing";
import {
  type CallPriority,
  type Chain,
  guardTools,
  type Model,
  type ModelInvoker,
  type Pricing,
  type ResponseCache,
  RunLoop,
  type RunObserver,
  type SpendGate,
  systemClock,
  ToolRegistry,
} from "@/lib/runtime";
import { PgRunStore, type PgRunStoreOptions } from "./pg-run-store";
import { PgToolLedger } from "./pg-tool-ledger";
import { processRedactor } from "@/lib/security/secrets";
import { createResilience } from "./resilience";
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
  /**
   * Canary rollouts (lib/rollouts): which versions a conversation pins, and loading the
   * console-created versions a run pinned before a loop needs them. Absent: newest code versions.
   */
  versions?: VersionRouting;
  /** Retries, breakers and fallbacks around model calls; unset means one plain call. */
  invokeModel?: ModelInvoker;
  /** The same per call priority (the rate limiter serves live before batch); wins when set. */
  invokeModelFor?: (priority: CallPriority) => ModelInvoker;
  /**
   * `tools` behind their breakers, for loops that commit through the pool (createRunLoop). The
   * breaker store writes through the pool, so a loop that runs tools inside a transaction (the
   * history backfill) must use the plain `tools`: on PGlite, one connection, it would wait for
   * itself.
   */
  guardedTools?: ToolRegistry;
  /** Answers of agents that cache (lib/cache/pg-response-cache.ts). */
  cache?: ResponseCache;
}

export interface VersionRouting {
  /** `db`: the caller's transaction, when it is in one. */
  ensure(versions: Readonly<Record<string, number>>, db?: Database): Promise<void>;
  pin(db: Database, conversationId: string, chain: string, firstTurn: boolean): Promise<Record<string, number>>;
}

/** The chain a conversation runs when the caller does not choose one. */
export const DEFAULT_CHAIN = "support";

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

/**
 * A RunLoop whose every step commits through `db` (a pool or a transaction). `priority` is the
 * run's class for the rate limiter (runs.priority 0 = live). Breakers and the rate limiter write
 * through the pool: over a transaction, only create runs or record decisions; never drive steps.
 */
export function createRunLoop(
  db: Database,
  parts: RuntimeParts,
  store: PgRunStoreOptions = {},
  priority: CallPriority = "live",
): RunLoop {
  return new RunLoop({
    chains: parts.chains,
    tools: parts.guardedTools ?? parts.tools,
    model: parts.model,
    observer: parts.observer,
    pricing: parts.pricing,
    spendGate: parts.spendGate,
    invokeModel: parts.invokeModelFor?.(priority) ?? parts.invokeModel,
    cache: parts.cache,
    // From the environment, never from `parts`: no team can run without it.
    redactor: processRedactor(),
    store: new PgRunStore(db, store),
    ledger: new PgToolLedger(db),
    ids: { newId },
  });
}
