import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";

/**
 * Server-side counters around a timed phase, read from a separate connection to another database
 * so the reads do not count against the database under test. Commits are exact for the scratch
 * database; WAL position, transaction ids and WAL syncs are cluster-wide, so other work on the
 * server during the phase inflates them: `otherCommits` says how much there was.
 */
export interface Counters {
  /** Committed transactions in the scratch database (read-only ones included). */
  commits: number;
  /** Committed transactions in every other database of the cluster (noise indicator). */
  otherCommits: number;
  /** WAL position in bytes. */
  walBytes: number;
  /** The next transaction id: only writing transactions consume one. */
  nextXid: number;
  /** WAL fsyncs, cluster-wide: fewer than writing transactions means group commit happened. */
  walSyncs: number;
}

/**
 * What autovacuum does for a long-running database: it gives the planner the tables' real sizes.
 * A new scratch database has none, and each connection caches its statements' plans from their
 * first executions, when the tables were nearly empty; ANALYZE invalidates those plans, so the
 * measured phases run with plans for tables of their size, as a worker that has run for a while
 * does. Run on every framework's database alike, after its warm-up.
 */
export async function analyzeDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`analyze`;
  } finally {
    await sql.end();
  }
}

export class Probe {
  private readonly sql: postgres.Sql;

  constructor(
    adminUrl: string,
    private readonly database: string,
    private readonly settleMs = 11_000,
  ) {
    this.sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  }

  /**
   * Waits for backends to flush their statistics, then reads the counters. PostgreSQL 15 flushes a
   * backend's pending counts when it goes idle, but at most once a second; what is left over is
   * flushed 10 s later (PGSTAT_IDLE_INTERVAL), hence the default wait of 11 s.
   */
  async read(): Promise<Counters> {
    await sleep(this.settleMs);
    const [row] = await this.sql<{ commits: number; other: number; wal: number; xid: number; syncs: number }[]>`
      select
        (select xact_commit from pg_stat_database where datname = ${this.database})::float8 as commits,
        (select coalesce(sum(xact_commit), 0) from pg_stat_database
          where datname is not null and datname <> ${this.database})::float8 as other,
        pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 as wal,
        pg_snapshot_xmax(pg_current_snapshot())::text::float8 as xid,
        (select wal_sync from pg_stat_wal)::float8 as syncs`;
    return {
      commits: row!.commits,
      otherCommits: row!.other,
      walBytes: row!.wal,
      nextXid: row!.xid,
      walSyncs: row!.syncs,
    };
  }

  close(): Promise<void> {
    return this.sql.end({ timeout: 5 });
  }
}

export function delta(before: Counters, after: Counters): Counters {
  return {
    commits: after.commits - before.commits,
    // Each read is one commit in the admin database; the reads themselves are not noise.
    otherCommits: Math.max(0, after.otherCommits - before.otherCommits - 1),
    walBytes: after.walBytes - before.walBytes,
    nextXid: after.nextXid - before.nextXid,
    walSyncs: after.walSyncs - before.walSyncs,
  };
}

/** Runs `count` units with at most `concurrency` in flight; resolves with the wall time in ms. */
export async function drive(
  count: number,
  concurrency: number,
  unit: (index: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < count) await unit(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return performance.now() - start;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** CPU time (user + system) of this process since `since`, in ms. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** The process's peak resident set so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
