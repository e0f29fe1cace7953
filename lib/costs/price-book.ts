import { asc } from "drizzle-orm";
import type { Database } from "@/db/client";
import { modelPrices } from "@/db/schema";
import { log } from "@/lib/log";
import type { ModelPrice, ModelTier, Pricing } from "@/lib/runtime";
import { builtInPrices, matchPrice } from "./prices";

/** One version of a model's price as stored. */
export interface PriceVersion extends ModelPrice {
  model: string;
  version: number;
  validFrom: number;
}

/**
 * The price in force for each model at `at` (epoch ms): per model, the highest version that is
 * already valid. A version valid from a future moment waits for it.
 */
export function pricesInForce(versions: readonly PriceVersion[], at: number): Record<string, ModelPrice> {
  const best = new Map<string, PriceVersion>();
  for (const v of versions) {
    if (v.validFrom > at) continue;
    const current = best.get(v.model);
    if (!current || v.version > current.version) best.set(v.model, v);
  }
  const table: Record<string, ModelPrice> = {};
  for (const [model, v] of best) {
    table[model] = { inputPerMTok: v.inputPerMTok, outputPerMTok: v.outputPerMTok, cachedInputPerMTok: v.cachedInputPerMTok };
  }
  return table;
}

/** A Pricing port backed by the `model_prices` table, with its lifecycle. */
export interface PriceBook extends Pricing {
  /** Resolves once the first read finished; until then the built-in prices apply. */
  readonly ready: Promise<void>;
  refresh(): Promise<void>;
  stop(): void;
}

export interface PriceBookOptions {
  tierModels: Readonly<Record<ModelTier, string>>;
  /** How stale a process's copy of the table may get. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * The price table for the runtime, read from the database in the background (a call is priced
 * from memory and never waits on a query). An admin's new version reaches every process within
 * about `ttlMs`; a failed read keeps the last good copy. Models missing from the table fall back
 * to the built-in prices, so a call is never left unpriced because the seed has not run yet.
 */
export function priceBookSource(db: Database, options: PriceBookOptions): PriceBook {
  const now = options.now ?? Date.now;
  let versions: PriceVersion[] = [];
  let inflight: Promise<void> | null = null;
  let warned = false;

  const load = async () => {
    try {
      const rows = await db
        .select({
          model: modelPrices.model,
          version: modelPrices.version,
          inputPerMTok: modelPrices.inputPerMTok,
          outputPerMTok: modelPrices.outputPerMTok,
          cachedInputPerMTok: modelPrices.cachedInputPerMTok,
          validFrom: modelPrices.validFrom,
        })
        .from(modelPrices)
        .orderBy(asc(modelPrices.model), asc(modelPrices.version));
      versions = rows.map((r) => ({ ...r, validFrom: r.validFrom.getTime() }));
      warned = false;
    } catch (error) {
      if (!warned) {
        warned = true;
        log("warn", "prices could not be read; keeping the last copy", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };
  const refresh = (): Promise<void> => {
    inflight ??= load().finally(() => {
      inflight = null;
    });
    return inflight;
  };
  const timer = setInterval(() => void refresh(), options.ttlMs ?? 5_000);
  timer.unref();
  const ready = refresh();

  return {
    ready,
    refresh,
    stop: () => clearInterval(timer),
    priceOf: (model) => matchPrice(pricesInForce(versions, now()), model) ?? matchPrice(builtInPrices, model),
    modelFor: (tier) => options.tierModels[tier],
  };
}
