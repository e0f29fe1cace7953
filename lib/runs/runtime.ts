import type { Database } from "@/db/client";
import { newId } from "@/lib/ids";
import {
  type CallPriority,
  type Chain,
  type Model,
  type ModelInvoker,
  type Pricing,
  type ResponseCache,
  RunLoop,
  type RunLoopDeps,
  type RunObserver,
  type SpendGate,
  type ToolRegistry,
} from "@/lib/runtime";
import { processRedactor } from "@/lib/security/secrets";
import { PgRunStore, type PgRunStoreOptions } from "./pg-run-store";
import { PgToolLedger } from "./pg-tool-ledger";

// What a run loop needs and nothing more: the demo teams, the providers and the Postgres-backed
// parts a process runs by default are wired in ./default-parts.ts, which a process that brings
// its own parts (a benchmark, a test) never loads.

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

/**
 * The loop options that govern what any loop over the process's parts may do, whatever its stores
 * and tools: the teams, the model behind the resilience seam at `priority`, pricing, the daily
 * spend gate and the process's secret redactor. Every loop takes them from here (createRunLoop,
 * replay), so none can spend past a daily budget or record a secret unredacted.
 */
export function governedLoopDeps(
  parts: RuntimeParts,
  priority: CallPriority,
): Pick<RunLoopDeps, "chains" | "model" | "invokeModel" | "pricing" | "spendGate" | "redactor"> {
  return {
    chains: parts.chains,
    model: parts.model,
    invokeModel: parts.invokeModelFor?.(priority) ?? parts.invokeModel,
    pricing: parts.pricing,
    spendGate: parts.spendGate,
    // From the environment, never from `parts`: no team can run without it.
    redactor: processRedactor(),
  };
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
    ...governedLoopDeps(parts, priority),
    tools: parts.guardedTools ?? parts.tools,
    observer: parts.observer,
    cache: parts.cache,
    store: new PgRunStore(db, store),
    ledger: new PgToolLedger(db),
    ids: { newId },
  });
}
