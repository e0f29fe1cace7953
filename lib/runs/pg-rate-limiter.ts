import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { newId } from "@/lib/ids";
import { abortableSleep, type CallPriority, type RateLimiter } from "@/lib/runtime";
import { queryRows } from "./sql";

/** Requests and tokens a provider/model key may use per window (a minute by default). */
export interface RateLimits {
  readonly requests: number;
  readonly tokens: number;
}

export interface PgRateLimiterOptions {
  limitsFor: (key: string) => RateLimits;
  /** The sliding window; a minute unless a test shortens it. */
  windowMs?: number;
  /** How often a waiting caller looks again (and renews its place in the queue). */
  pollMs?: number;
}

/** runs.priority: live conversations 0, batch work (evaluations, replays) after them. */
export const priorityRank: Record<CallPriority, number> = { live: 0, batch: 1 };

const GRANT_RETENTION_MS = 10 * 60_000;
const WAITER_TTL_MS = 5_000;
/** A waiter this far past its expiry belongs to a process that died while queued. */
const DEAD_WAITER_MS = 60_000;

type Attempt = { granted: true } | { granted: false; waitMs: number };

/**
 * A central rate limiter shared by every process through Postgres, as a sliding-window log: a
 * call is granted only while fewer than `requests` calls (and fewer than `tokens` tokens) were
 * granted in the last window, so no window of that length ever holds more, whichever process made
 * the calls. Each decision holds a per-key advisory lock for one short transaction.
 *
 * Priority: a caller that cannot be served registers as a waiter; a caller is only served while no
 * live waiter of a more urgent class is queued, so live conversations take freed slots before
 * batch work does. Waiters renew their row on every poll; a dead process's waiter lapses.
 */
export class PgRateLimiter implements RateLimiter {
  private readonly windowMs: number;
  private readonly pollMs: number;
  /** When this process last pruned each key: once a window is enough, not once a call. */
  private readonly prunedAt = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly options: PgRateLimiterOptions,
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.pollMs = options.pollMs ?? 250;
  }

  async acquire(
    key: string,
    request: { priority: CallPriority; estimatedTokens: number; signal?: AbortSignal },
  ): Promise<{ settle(actualTokens: number): Promise<void> }> {
    const id = newId("rlg");
    const rank = priorityRank[request.priority];
    const tokens = Math.max(0, Math.round(request.estimatedTokens));
    try {
      for (;;) {
        const attempt = await this.db.transaction((tx) =>
          this.tryGrant(tx as unknown as Database, id, key, rank, tokens),
        );
        if (attempt.granted) break;
        await abortableSleep(attempt.waitMs, request.signal);
      }
    } catch (error) {
      await queryRows(this.db, sql`delete from rate_limit_waiters where id = ${id}`).catch(() => undefined);
      throw error;
    }
    return {
      settle: async (actualTokens: number) => {
        await queryRows(
          this.db,
          sql`update rate_limit_grants set tokens = ${Math.max(0, Math.round(actualTokens))} where id = ${id}`,
        );
      },
    };
  }

  private async tryGrant(
    tx: Database,
    id: string,
    key: string,
    rank: number,
    tokens: number,
  ): Promise<Attempt> {
    const limits = this.options.limitsFor(key);
    const window = sql`${this.windowMs} * interval '1 millisecond'`;
    await queryRows(tx, sql`select pg_advisory_xact_lock(hashtext(${`rate:${key}`}))`);
    await this.prune(tx, key);
    const [usage] = await queryRows<{
      calls: number;
      tokens: number;
      free_in_ms: number | null;
      ahead: number;
    }>(
      tx,
      sql`select count(*)::int as calls, coalesce(sum(tokens), 0)::int as tokens,
            (extract(epoch from (min(granted_at) + ${window} - clock_timestamp())) * 1000)::float8 as free_in_ms,
            (select count(*)::int from rate_limit_waiters
              where key = ${key} and priority < ${rank} and expires_at > clock_timestamp()) as ahead
          from rate_limit_grants where key = ${key} and granted_at > clock_timestamp() - ${window}`,
    );
    const calls = usage?.calls ?? 0;
    const used = usage?.tokens ?? 0;
    // A single call larger than the whole token budget still goes out once the window is empty.
    const fits = calls < limits.requests && (used + tokens <= limits.tokens || used === 0);
    if (fits && (usage?.ahead ?? 0) === 0) {
      await queryRows(
        tx,
        sql`with granted as (insert into rate_limit_grants (id, key, priority, tokens) values (${id}, ${key}, ${rank}, ${tokens}))
            delete from rate_limit_waiters where id = ${id}`,
      );
      return { granted: true };
    }
    // Long enough that a busy process renews it in time; short enough that a dead one's queued
    // live call holds batch work back only briefly.
    const expires = sql`clock_timestamp() + ${Math.max(this.pollMs * 10, WAITER_TTL_MS)} * interval '1 millisecond'`;
    await queryRows(
      tx,
      sql`insert into rate_limit_waiters (id, key, priority, expires_at) values (${id}, ${key}, ${rank}, ${expires})
          on conflict (id) do update set expires_at = ${expires}`,
    );
    const freeIn = usage?.free_in_ms ?? this.pollMs;
    return { granted: false, waitMs: Math.max(5, Math.min(this.pollMs, Math.ceil(freeIn))) };
  }

  /**
   * Grants stay a while past their window, so recent traffic can be inspected (and tested); a
   * waiter row of a process that died while queued is removed once it is long expired.
   */
  private async prune(tx: Database, key: string): Promise<void> {
    const now = Date.now();
    if (now - (this.prunedAt.get(key) ?? 0) < this.windowMs) return;
    this.prunedAt.set(key, now);
    const retainMs = Math.max(this.windowMs * 2, GRANT_RETENTION_MS);
    await queryRows(
      tx,
      sql`with grants as (delete from rate_limit_grants
            where key = ${key} and granted_at < clock_timestamp() - ${retainMs} * interval '1 millisecond')
          delete from rate_limit_waiters
            where key = ${key} and expires_at < clock_timestamp() - ${DEAD_WAITER_MS} * interval '1 millisecond'`,
    );
  }
}
