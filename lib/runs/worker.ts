import { hostname } from "node:os";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import { type CallPriority, ConcurrencyConflict, SystemFailure } from "@/lib/runtime";
import { createRunLoop, type RuntimeParts } from "./runtime";
import { jsonbValue, queryRows } from "./sql";

export interface WorkerOptions {
  db: Database;
  parts: RuntimeParts;
  /** Runs driven at once by this process. */
  concurrency?: number;
  /** A claimed run is this worker's until then; every commit and a heartbeat extend it. */
  leaseMs?: number;
  /** Safety net when no notification arrives (another process, an expired lease). */
  pollMs?: number;
  /** A run whose workers died this many times is failed instead of claimed again. */
  maxClaims?: number;
  /** Subscribes to run notifications; returns an unsubscribe function. */
  listen?: (onRun: () => void) => Promise<() => Promise<void>>;
}

/**
 * A stateless worker: claims runs from the `runs` table with a lease (FOR UPDATE SKIP LOCKED, so
 * workers in any number of processes never claim the same run), drives each to a stop, and
 * releases it in the run's final commit. If the process dies, the lease expires and another
 * worker resumes the run from its last checkpoint and log; every commit's guard (its step row's
 * key, and the lease) means a stale worker that wakes up later cannot write over it.
 *
 * Why not a separate job queue: the lease lives on the run row, which every commit that stores a
 * checkpoint writes anyway, and the heartbeat renews it between those; a queue would add a claim
 * and a completion commit per step, and pg-boss (whose PGlite adapter needs v12) declares Node 22.
 */
export class RunWorker {
  readonly id = `${hostname()}:${process.pid}:${newId("wrk").slice(-6)}`;
  private readonly inflight = new Map<string, Promise<void>>();
  private running = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxClaims: number;

  constructor(private readonly options: WorkerOptions) {
    this.concurrency = options.concurrency ?? 16;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.maxClaims = options.maxClaims ?? 10;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unlisten = (await this.options.listen?.(() => this.nudge())) ?? null;
    this.loopDone = this.loop();
  }

  /** Stops claiming and waits for the runs in hand to reach their next stop. */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loopDone;
    await Promise.allSettled(this.inflight.values());
    await this.unlisten?.();
  }

  /** Wakes the claim loop (a run was created or released in this process). */
  nudge(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inflight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          claimed = await this.claimAndDrive(free);
        } catch (error) {
          log("warn", "worker: claim failed", { worker: this.id, error: errorMessage(error) });
        }
      }
      if (claimed === 0 || claimed === free) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
    });
  }

  private async claimAndDrive(limit: number): Promise<number> {
    const rows = await queryRows<{ id: string; claims: number; versions: unknown; priority: number }>(
      this.options.db,
      sql`${relaxedCommit} update runs set lease_owner = ${this.id},
          lease_expires_at = now() + ${this.leaseMs} * interval '1 millisecond',
          claims = claims + 1, updated_at = now()
        where id in (
          select id from runs
          where status = 'running' and available_at <= now()
            and (lease_expires_at is null or lease_expires_at < now())
          order by priority, available_at
          limit ${limit}
          for update skip locked)
          and exists (select from relaxed)
        returning id, claims, checkpoint->'versions' as versions, priority`,
    );
    for (const row of rows) {
      const priority = row.priority > 0 ? "batch" : "live";
      const work =
        row.claims > this.maxClaims
          ? this.failPoisoned(row.id)
          : this.drive(row.id, row.claims, pinnedVersions(row.versions), priority);
      const task = work
        // Only bookkeeping can fail here (the database is unreachable while releasing or failing
        // a run). The lease then simply expires and another claim picks the run up; left
        // unhandled, the rejection would take the whole process down.
        .catch((error: unknown) => {
          log("warn", "worker: could not hand a run back; its lease will expire", {
            worker: this.id,
            runId: row.id,
            error: errorMessage(error),
          });
        })
        .finally(() => {
          this.inflight.delete(row.id);
          this.nudge();
        });
      this.inflight.set(row.id, task);
    }
    return rows.length;
  }

  private async drive(
    runId: string,
    claim: number,
    versions: Record<string, number>,
    priority: CallPriority,
  ): Promise<void> {
    // A second claim means an earlier worker stopped mid-run: the trace shows the takeover.
    const resumed = claim > 1 ? { worker: this.id, claim } : undefined;
    // A long model call must not let the lease lapse while this worker is healthy.
    const heartbeat = setInterval(() => void this.renewLease(runId), Math.max(1_000, this.leaseMs / 3));
    try {
      // Console-created versions the run pinned must be known before the loop is built (it copies
      // the chains). Inside the try: a failed load releases the run with a back-off.
      await this.options.parts.versions?.ensure(versions);
      const store = { owner: this.id, leaseMs: this.leaseMs, resumed };
      await createRunLoop(this.options.db, this.options.parts, store, priority).run(runId);
    } catch (error) {
      if (error instanceof ConcurrencyConflict) {
        log("info", "worker: run taken over by another writer", { worker: this.id, runId });
        return;
      }
      log("warn", "worker: run stopped by an error; it will be retried", {
        worker: this.id,
        runId,
        error: errorMessage(error),
      });
      await this.release(runId, 5_000);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async renewLease(runId: string): Promise<void> {
    try {
      await this.options.db.execute(
        sql`update runs set lease_expires_at = now() + ${this.leaseMs} * interval '1 millisecond'
          where id = ${runId} and lease_owner = ${this.id}`,
      );
    } catch {
      // The next commit renews it too; a failed heartbeat alone is not a reason to stop.
    }
  }

  private async release(runId: string, backoffMs: number): Promise<void> {
    await this.options.db.execute(
      sql`update runs set lease_owner = null, lease_expires_at = null,
          available_at = now() + ${backoffMs} * interval '1 millisecond'
        where id = ${runId} and lease_owner = ${this.id}`,
    );
  }

  /** A run that crashed its workers again and again ends as failed rather than looping forever. */
  private async failPoisoned(runId: string): Promise<void> {
    const loop = createRunLoop(this.options.db, this.options.parts, { owner: this.id, leaseMs: this.leaseMs });
    const error = new SystemFailure(`run was claimed ${this.maxClaims} times without finishing`);
    await loop.fail(runId, error).catch((failed: unknown) => {
      // Another writer settled or advanced it meanwhile: nothing is left to fail.
      if (!(failed instanceof ConcurrencyConflict)) throw failed;
    });
    log("warn", "worker: run failed after repeated crashes", { worker: this.id, runId });
  }
}

/**
 * The claim's commit does not wait for its WAL flush (synchronous_commit off for its transaction
 * only): the worker's first commit of the run is durable and flushes the claim with it, as WAL is
 * written in order. A claim lost to a server crash before then is harmless: that first commit is
 * refused (the lease is not the worker's), so nothing forks, and tool effects wait for a durable
 * ledger entry. It saves each claimed run a flush. Referenced by the update's `exists`, since an
 * unreferenced CTE would not run.
 */
export const relaxedCommit = sql`with relaxed as (select set_config('synchronous_commit', 'off', true))`;

function pinnedVersions(raw: unknown): Record<string, number> {
  const value = jsonbValue(raw);
  const parsed = z.record(z.string(), z.number().int()).safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** The database's own message rather than the driver's wrapper, which repeats the whole query. */
function errorMessage(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
