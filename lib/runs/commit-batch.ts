import { PgTransaction } from "drizzle-orm/pg-core";
import type { Database } from "@/db/client";
import type { RunWrite } from "./commit-rows";
import { commitRuns } from "./commit-runs";

interface Pending {
  write: RunWrite;
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit across runs. A commit that finds fewer than `maxInFlight` commits of the pool in
 * flight goes out on its own at once, so a lone conversation waits for nothing. Commits that
 * arrive while the pool is busy queue up, and each time one finishes the queue leaves as ONE
 * statement and one transaction (commit-runs.ts): creations, mid-run steps and settlements alike,
 * each run row with its own guard. Each caller is resolved only when that transaction has
 * committed, with whether its own row was written; a run whose check fails is refused alone. If
 * the statement fails as a whole (a deadlock, a constraint), every commit in it is retried on its
 * own, so one bad commit cannot fail the others.
 */
export class CommitBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Database,
    // Measured at concurrency 32 on 2 shared cores: 2 batches in flight beat 4 and 8 (each batch
    // is one backend's work; more of them only queue for the same cores). A bigger server may
    // want more.
    private readonly maxInFlight = 2,
    private readonly maxBatch = 64,
  ) {}

  commit(write: RunWrite): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /**
   * Up to `maxBatch` queued commits, at most one per run (a group reports by run id), in queue
   * order. One pass that rebuilds the queue: splicing each taken commit out moved the rest of a
   * 1,000-deep queue once per commit.
   */
  private take(): Pending[] {
    const runs = new Set<string>();
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    let i = 0;
    for (; i < this.queue.length && batch.length < this.maxBatch; i++) {
      const p = this.queue[i]!;
      if (runs.has(p.write.runId)) rest.push(p);
      else {
        runs.add(p.write.runId);
        batch.push(p);
      }
    }
    this.queue = i === this.queue.length ? rest : rest.concat(this.queue.slice(i));
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return settle(batch[0]!, () => this.alone(batch[0]!.write));
    let written: Set<string>;
    try {
      written = await commitRuns(this.db, batch.map((p) => p.write));
    } catch {
      // Nothing of the batch was written: each commit is tried again on its own.
      await Promise.all(batch.map((p) => settle(p, () => this.alone(p.write))));
      return;
    }
    for (const p of batch) p.resolve(written.has(p.write.runId));
  }

  private async alone(write: RunWrite): Promise<boolean> {
    return (await commitRuns(this.db, [write])).has(write.runId);
  }
}

async function settle(p: Pending, attempt: () => Promise<boolean>): Promise<void> {
  try {
    p.resolve(await attempt());
  } catch (error) {
    p.reject(error);
  }
}

const batchers = new WeakMap<Database, CommitBatcher>();

/**
 * The pool's group commit; none for a transaction, whose statements run one after another on
 * its connection anyway and whose failure could not be retried step by step.
 */
export function commitBatcherFor(db: Database): CommitBatcher | undefined {
  if (db instanceof PgTransaction) return undefined;
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = new CommitBatcher(db)));
  return batcher;
}
