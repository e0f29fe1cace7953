import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { breakers } from "@/db/schema";
import { log } from "@/lib/log";
import {
  type BreakerConfig,
  type BreakerEvent,
  type BreakerResult,
  type BreakerState,
  type BreakerStore,
  defaultBreakerConfig,
  initialBreakerState,
} from "@/lib/runtime";
import { applyLocked, type BreakerRow, configOfRow, stateOfRow } from "./breaker-rows";

export interface PgBreakerStoreOptions {
  /** Default config per key; a row's own `config` overrides it. */
  configFor?: (key: string) => BreakerConfig;
  /**
   * How old a cached state may be before the store reads the row again; also how often `start()`
   * refreshes every breaker and flushes batched successes. A breaker opened by another process
   * is seen here within this interval (at once when a NOTIFY arrives).
   */
  pollMs?: number;
  /** Subscribes to breaker NOTIFYs; returns an unsubscribe function. */
  listen?: (onChange: () => void) => Promise<() => Promise<void>>;
}

interface Cached {
  state: BreakerState;
  config: BreakerConfig;
  /** Date.now() when read: freshness is wall-clock time, whatever clock decides transitions. */
  readAt: number;
}

/**
 * Breakers in Postgres, shared by every process. Every change goes through one locked
 * read-transition-write (breaker-rows.ts), so processes agree. The cache only answers questions
 * whose answer cannot change the row: an `acquire` on a closed breaker (allow) or on an open one
 * still cooling down (reject), an outcome that an open breaker ignores anyway, and successes on a
 * healthy breaker, which are batched and written once per poll. Failures, probes and every
 * transition always take the lock. If the database is unreachable the breaker fails OPEN (calls
 * are allowed): a broken breaker store must not take every agent down with it.
 */
export class PgBreakerStore implements BreakerStore {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, { count: number; at: number }>();
  private readonly configFor: (key: string) => BreakerConfig;
  private readonly pollMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private refreshes: Array<() => void> = [];

  constructor(
    private readonly db: Database,
    private readonly options: PgBreakerStoreOptions = {},
  ) {
    this.configFor = options.configFor ?? (() => defaultBreakerConfig);
    this.pollMs = options.pollMs ?? 1_000;
  }

  /** Polls (and listens, when given a subscription) until `stop()`. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref?.();
    this.unlisten = (await this.options.listen?.(() => void this.refresh())) ?? null;
  }

  /** Stops polling and writes the successes still batched. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.unlisten?.();
    this.unlisten = null;
    await this.flush(Date.now());
  }

  /** Resolves after the next completed refresh of every breaker (poll or notify). */
  nextRefresh(): Promise<void> {
    return new Promise((resolve) => this.refreshes.push(resolve));
  }

  async apply(key: string, event: BreakerEvent, now: number): Promise<BreakerResult> {
    try {
      const cached = await this.current(key);
      const quick = cached && this.quickAnswer(key, cached, event, now);
      if (quick) return quick;
      const result = await applyLocked(this.db, key, event, now, this.configFor(key));
      this.cache.set(key, { state: result.state, config: result.config, readAt: Date.now() });
      return result;
    } catch (error) {
      log("warn", "breakers: store unreachable, failing open", {
        key,
        error: error instanceof Error ? error.message : String(error),
      });
      return {
        state: initialBreakerState,
        decision: event.type === "acquire" ? "allow" : undefined,
      };
    }
  }

  /** Reads every breaker into the cache. */
  async refresh(): Promise<void> {
    try {
      const readAt = Date.now();
      const rows = await this.db.select().from(breakers);
      for (const row of rows) this.remember(row, readAt);
    } catch (error) {
      log("warn", "breakers: refresh failed", {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      const waiting = this.refreshes;
      this.refreshes = [];
      for (const resolve of waiting) resolve();
    }
  }

  private async tick(): Promise<void> {
    await this.flush(Date.now());
    await this.refresh();
  }

  private async current(key: string): Promise<Cached | undefined> {
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.readAt < this.pollMs) return cached;
    const readAt = Date.now();
    const [row] = await this.db.select().from(breakers).where(eq(breakers.key, key));
    return row ? this.remember(row, readAt) : undefined;
  }

  /**
   * Caches a row read at `readAt`, unless a locked apply of this process wrote a newer state
   * while the read was under way: a stale read must never overwrite what this process knows.
   */
  private remember(row: BreakerRow, readAt: number): Cached {
    const known = this.cache.get(row.key);
    if (known && known.readAt >= readAt) return known;
    const entry = {
      state: stateOfRow(row),
      config: configOfRow(row, this.configFor(row.key)),
      readAt,
    };
    this.cache.set(row.key, entry);
    return entry;
  }

  private quickAnswer(
    key: string,
    cached: Cached,
    event: BreakerEvent,
    now: number,
  ): BreakerResult | null {
    const { state, config } = cached;
    switch (event.type) {
      case "acquire":
        if (state.status === "closed") return { state, decision: "allow" };
        if (
          state.status === "open" &&
          (state.forced || now < (state.openedAt ?? now) + config.cooldownMs)
        )
          return { state, decision: "reject" };
        return null;
      case "success":
        if (event.probe) return null;
        if (state.status !== "closed") return { state };
        if (state.consecutiveFailures > 0) return null;
        this.batch(key, event.count ?? 1, event.at ?? now);
        return { state };
      case "failure":
        return !event.probe && state.status !== "closed" ? { state } : null;
      case "cancel":
        return state.status === "half_open" ? null : { state };
      default:
        return null;
    }
  }

  private batch(key: string, count: number, at: number): void {
    const pending = this.pending.get(key);
    this.pending.set(key, {
      count: (pending?.count ?? 0) + count,
      at: Math.max(pending?.at ?? at, at),
    });
  }

  private async flush(now: number): Promise<void> {
    const batches = [...this.pending.entries()];
    this.pending.clear();
    for (const [key, { count, at }] of batches) {
      try {
        const result = await applyLocked(
          this.db,
          key,
          { type: "success", count, at },
          now,
          this.configFor(key),
        );
        this.cache.set(key, { state: result.state, config: result.config, readAt: Date.now() });
      } catch (error) {
        log("warn", "breakers: could not record successes", {
          key,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
