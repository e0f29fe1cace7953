import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/db/client";
import { log } from "@/lib/log";
import { queryRows } from "@/lib/runs/sql";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How long the public API remembers an `Idempotency-Key` (Stripe keeps keys for 24 hours): a
 * retry within the window gets the first answer; after it the key counts as new, whether or not
 * its row has been pruned yet (lib/api/idempotency.ts).
 */
export const IDEMPOTENCY_WINDOW_MS = DAY_MS;

/**
 * How long circuit-breaker transitions are kept: the breakers page shows the last half hour; a
 * month leaves room to look back at an incident. Manual trips and resets are also in the audit
 * log, which is never pruned.
 */
export const BREAKER_TRANSITION_RETENTION_MS = 30 * DAY_MS;

/** A table whose rows stop mattering a fixed time after an indexed timestamp. */
export interface RetentionRule {
  table: string;
  /** The primary key's columns: a batch is picked, and deleted, by them. */
  key: readonly string[];
  /** The timestamp a row expires by; it must lead an index, so a batch never scans the table. */
  column: string;
  /** How long past `column` a row is kept; 0 when `column` is itself the expiry. */
  keepMs: number;
}

/**
 * What is pruned. Deliberately not here: `audit_log`, conversations, runs, events, spans, eval
 * scores, replays, rollout decisions and anomaly alerts (the console's history);
 * `response_cache_stats` and `budget_spend` (one small aggregate row per day);
 * `budget_reservations` (PgSpendGate.sweepExpired deletes an expired one together with releasing
 * its reserved amount, which a bare delete would leak); the rate limiter's grants and waiters
 * (PgRateLimiter prunes each key once per window); `eval_jobs` (one per sampled run, and the
 * sampler's record of what it already queued).
 */
export const retentionRules: readonly RetentionRule[] = [
  // Expired answers are never served; PgResponseCache.store only clears the agent it stores for.
  { table: "response_cache", key: ["id"], column: "expires_at", keepMs: 0 },
  { table: "idempotency_keys", key: ["api_key_id", "key"], column: "created_at", keepMs: IDEMPOTENCY_WINDOW_MS },
  { table: "breaker_transitions", key: ["id"], column: "at", keepMs: BREAKER_TRANSITION_RETENTION_MS },
];

export interface RetentionOptions {
  /** Rows per delete statement: each is its own short transaction. */
  batchSize?: number;
  /** Statements per table per sweep, so one sweep's work is bounded however large a backlog is. */
  maxBatches?: number;
  /** The least time between two sweeps of one process (tick is called more often). */
  everyMs?: number;
  rules?: readonly RetentionRule[];
}

/** Rows deleted per table by one sweep. */
export type RetentionCounts = Record<string, number>;

/**
 * Deletes rows past their retention, in bounded batches. Safe in every process at once: a batch
 * takes its rows with `FOR UPDATE SKIP LOCKED`, so two sweepers (or a sweeper and a request that
 * is renewing an idempotency key) never wait on each other or delete a row twice, and a delete
 * of a row that is already gone is a no-op. Each batch commits on its own, so locks are brief.
 */
export class RetentionSweeper {
  private readonly batchSize: number;
  private readonly maxBatches: number;
  private readonly everyMs: number;
  private readonly rules: readonly RetentionRule[];
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    options: RetentionOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1_000;
    this.maxBatches = options.maxBatches ?? 10;
    this.everyMs = options.everyMs ?? 60_000;
    this.rules = options.rules ?? retentionRules;
  }

  /**
   * Sweeps if the last sweep began at least `everyMs` ago; null when it was too soon. A failed
   * sweep also waits its turn, so a database in trouble is not asked again every tick.
   */
  async tick(now = Date.now()): Promise<RetentionCounts | null> {
    if (now - this.lastSweepAt < this.everyMs) return null;
    this.lastSweepAt = now;
    const counts = await this.sweep();
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    if (total > 0) log("info", "retention: expired rows deleted", counts);
    return counts;
  }

  /** One pass over every rule; a table that fails is logged, left out of the counts, and the others are still swept. */
  async sweep(): Promise<RetentionCounts> {
    const counts: RetentionCounts = {};
    for (const rule of this.rules) {
      try {
        counts[rule.table] = await this.sweepTable(rule);
      } catch (error) {
        log("warn", "retention: sweep failed", { table: rule.table, error: String(error) });
      }
    }
    return counts;
  }

  private async sweepTable(rule: RetentionRule): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < this.maxBatches; batch++) {
      const [row] = await queryRows<{ n: number }>(this.db, deleteBatch(rule, this.batchSize));
      const n = row?.n ?? 0;
      deleted += n;
      if (n < this.batchSize) break;
    }
    return deleted;
  }
}

/**
 * One batch: the oldest `limit` expired rows by the timestamp's index, skipping rows another
 * transaction holds, deleted by primary key. The statement text is fixed per rule (a bounded
 * number of prepared statements, see queryRows).
 */
function deleteBatch(rule: RetentionRule, limit: number): SQL {
  const table = sql.identifier(rule.table);
  const column = sql.identifier(rule.column);
  const keys = sql.join(rule.key.map((k) => sql.identifier(k)), sql`, `);
  const cutoff = rule.keepMs > 0 ? sql`now() - ${rule.keepMs} * interval '1 millisecond'` : sql`now()`;
  return sql`with doomed as (
      select ${keys} from ${table} where ${column} < ${cutoff}
      order by ${column} limit ${limit} for update skip locked
    ),
    gone as (delete from ${table} where (${keys}) in (select ${keys} from doomed) returning 1)
    select count(*)::int as n from gone`;
}
