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

/** Every stored version of every model's price (a small table: a row per model and edit). */
export async function readPriceVersions(db: Database): Promise<PriceVersion[]> {
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
  return rows.map((r) => ({ ...r, validFrom: r.validFrom.getTime() }));
}

/** The price of `model` in force at `at`: the table's, else the built-in one (a gap when neither). */
export function priceAt(versions: readonly PriceVersion[], model: string, at: number): ModelPrice | null {
  return matchPrice(pricesInForce(versions, at), model) ?? matchPrice(builtInPrices, model);
}

/**
 * The price in force now of each tier's model, read once: for a page, which must not start the
 * price book's background refresh (or anything else of the runtime) just to show prices.
 */
export async function readTierPrices(
  db: Database,
  tierModels: Readonly<Record<ModelTier, string>>,
  at: number = Date.now(),
): Promise<Record<ModelTier, ModelPrice | null>> {
  const versions = await readPriceVersions(db);
  return {
    fast: priceAt(versions, tierModels.fast, at),
    standard: priceAt(versions, tierModels.standard, at),
    strong: priceAt(versions, tierModels.strong, at),
  };
}

/** A Pricing port backed by the `model_prices` table, with its lifecycle. */
export interface PriceBook extends Pricing {
  /** Resolves once the first read finished; until then the built-in prices apply. */
  readonly ready: Promise<void>;
  /** Re-reads the table; resolves once a read that started after this call has finished. */
  refresh(): Promise<void>;
  stop(): void;
}

export interface PriceBookOptions {
  tierModels: Readonly<Record<ModelTier, string>>;
  /** How stale a process's copy of the table may get. */
  ttlMs?: number;
  now?: () => number;
}

// On globalThis, like the runtime parts: the console's server actions and the runtime's price
// book can be bundled as separate copies of this module, and must still find each other.
const globalForPrices = globalThis as unknown as { __switchyardPriceBooks?: Set<() => Promise<void>> };
const liveBooks = (globalForPrices.__switchyardPriceBooks ??= new Set());

/**
 * Tells every price book of this process that the table changed (an admin added a version), and
 * resolves once each has re-read it: the next call this process makes is charged the new price.
 * Other processes pick it up within their `ttlMs`.
 */
export async function invalidatePriceBooks(): Promise<void> {
  await Promise.all([...liveBooks].map((refresh) => refresh()));
}

/**
 * The price table for the runtime, read from the database in the background (a call is priced
 * from memory and never waits on a query). An admin's new version reaches this process as soon as
 * it is saved (invalidatePriceBooks) and every other process within about `ttlMs`; a failed read
 * keeps the last good copy. Models missing from the table fall back to the built-in prices, so a
 * call is never left unpriced because the seed has not run yet.
 */
export function priceBookSource(db: Database, options: PriceBookOptions): PriceBook {
  const now = options.now ?? Date.now;
  let versions: PriceVersion[] = [];
  let inflight: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let warned = false;

  const load = async () => {
    try {
      versions = await readPriceVersions(db);
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
  // A read already under way may have started before the change the caller wants to see: the
  // caller then waits for one more read after it (shared by everyone who asks meanwhile).
  const refresh = (): Promise<void> => {
    if (!inflight) {
      inflight = load().finally(() => {
        inflight = null;
      });
      return inflight;
    }
    queued ??= inflight.then(() => {
      queued = null;
      return refresh();
    });
    return queued;
  };
  const timer = setInterval(() => void refresh(), options.ttlMs ?? 5_000);
  timer.unref();
  const ready = refresh();
  liveBooks.add(refresh);

  return {
    ready,
    refresh,
    stop: () => {
      clearInterval(timer);
      liveBooks.delete(refresh);
    },
    priceOf: (model) => priceAt(versions, model, now()),
    modelFor: (tier) => options.tierModels[tier],
  };
}
