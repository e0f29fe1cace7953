import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { queryRows } from "@/lib/runs/sql";
import { SampleQuota } from "./sample";

export interface SamplerOptions {
  /** Share of finished conversations scored; the design's floor is 5%. */
  share: number;
  /** Share for conversations in a running or paused rollout, which the guard compares. */
  rolloutShare: number;
  /** How far back a fresh process looks for finished runs it has not seen. */
  lookbackMs?: number;
  /**
   * How long a run's end must lie in the past before the cursor passes it. `ended_at` is the time
   * of the run's last event on its worker's clock, and it becomes visible only when the settling
   * commit does: a run committed a moment late (or by a worker whose clock lags by less than this)
   * would otherwise land behind a cursor that already moved on, and never be considered. Workers'
   * clocks must therefore agree to well within `settleMs` (NTP does).
   */
  settleMs?: number;
  batch?: number;
}

/**
 * Enqueues evaluation jobs for finished (answered) live runs of sampled conversations. It walks the
 * runs by end time with an in-memory cursor; after a restart it looks back `lookbackMs` again and
 * the job's primary key drops what was already queued. Nothing here runs on the live path.
 */
export class EvalSampler {
  private since: Date | null = null;
  private readonly live: SampleQuota;
  private readonly rollout: SampleQuota;

  constructor(
    private readonly db: Database,
    private readonly options: SamplerOptions,
  ) {
    this.live = new SampleQuota(options.share);
    this.rollout = new SampleQuota(options.rolloutShare);
  }

  /** Enqueues one batch; returns how many jobs it added. */
  async tick(): Promise<number> {
    const since = this.since ?? new Date(Date.now() - (this.options.lookbackMs ?? 3 * 86_400_000));
    const rows = await queryRows<{ run_id: string; conversation_id: string; ended_at: string | Date; in_rollout: boolean }>(
      this.db,
      sql`select r.id as run_id, r.conversation_id, r.ended_at,
          exists (select 1 from conversation_assignments a, rollouts o
            where a.conversation_id = r.conversation_id and a.arms ? o.id
              and o.status in ('running', 'paused')) as in_rollout
        from runs r
        where r.status = 'completed' and r.priority = 0 and r.ended_at > ${since.toISOString()}::timestamptz
          and r.ended_at <= now() - ${this.options.settleMs ?? 5_000} * interval '1 millisecond'
        order by r.ended_at
        limit ${this.options.batch ?? 500}`,
    );
    if (rows.length === 0) return 0;
    this.since = new Date(rows.at(-1)!.ended_at);
    const conversations = rows.map((r) => r.conversation_id);
    const always = new Set(rows.filter((r) => r.in_rollout).map((r) => r.conversation_id));
    const rolloutPicked = this.rollout.take([...always]);
    const picked = this.live.take(conversations.filter((c) => !always.has(c)));
    const chosen = rows.filter((r) => picked.has(r.conversation_id) || rolloutPicked.has(r.conversation_id));
    if (chosen.length === 0) return 0;
    const values = chosen.map((r) => ({ run_id: r.run_id, conversation_id: r.conversation_id }));
    const inserted = await queryRows<{ run_id: string }>(
      this.db,
      sql`insert into eval_jobs (run_id, conversation_id)
        select x.run_id, x.conversation_id from jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
          as x(run_id text, conversation_id text)
        on conflict (run_id) do nothing
        returning run_id`,
    );
    return inserted.length;
  }
}
