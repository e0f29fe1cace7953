import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import { queryRows } from "@/lib/runs/sql";
import {
  type ArmStats,
  canaryPercent,
  defaultGuardConfig,
  type GuardConfig,
  type GuardVerdict,
  judgeRollout,
  signalLabel,
} from "@/lib/runtime/rollout";
import { applyRolloutCommand, type RolloutRow, stageStateOf } from "./transition";

/**
 * Breaker trips per agent version since a time (issue #6's breaker_transitions can answer this).
 * Optional: without a source the guard skips that signal rather than guessing.
 */
export type BreakerTripSource = (agent: string, version: number, since: Date) => Promise<number | undefined>;

export interface GuardRunnerOptions {
  config?: Partial<GuardConfig>;
  breakerTrips?: BreakerTripSource;
  /** How far before the rollout the stable version's baseline reaches. */
  baselineMs?: number;
}

/** The stable version's baseline reaches this far before the rollout started. */
export const BASELINE_MS = 86_400_000;

/** The guard's audit identity: automatic changes are audited like an admin's, under this name. */
export const GUARD_ACTOR = "rollout-guard";

/**
 * Applies the guard to every running rollout: reads both arms' outcomes, asks the pure
 * {@link judgeRollout} for a verdict, stores it as the rollout's latest reading and, when it says
 * advance or roll back, changes the rollout with a decision record naming the signal and numbers.
 */
export class RolloutGuard {
  constructor(
    private readonly db: Database,
    private readonly options: GuardRunnerOptions = {},
  ) {}

  async tick(): Promise<{ rolloutId: string; verdict: GuardVerdict }[]> {
    const running = await this.db.select().from(schema.rollouts).where(eq(schema.rollouts.status, "running"));
    const out: { rolloutId: string; verdict: GuardVerdict }[] = [];
    for (const row of running) {
      try {
        out.push({ rolloutId: row.id, verdict: await this.judge(row) });
      } catch (error) {
        log("warn", "guard: could not judge a rollout", { rolloutId: row.id, error: String(error) });
      }
    }
    return out;
  }

  private async judge(row: RolloutRow): Promise<GuardVerdict> {
    const config = { ...defaultGuardConfig, ...this.options.config, minSample: row.minSample };
    const baseline = new Date(row.createdAt.getTime() - (this.options.baselineMs ?? BASELINE_MS));
    const [canary, stable] = await Promise.all([
      this.stats(row.agent, row.canaryVersion, row.stageStartedAt),
      this.stats(row.agent, row.stableVersion, baseline),
    ]);
    const verdict = judgeRollout(canary, stable, config);
    const reading = { ...verdict, canary, stable, at: new Date().toISOString() };
    await this.db.transaction(async (tx) => {
      const [locked] = await tx.select().from(schema.rollouts).where(eq(schema.rollouts.id, row.id)).for("update");
      // An admin (or another process's guard) changed it meanwhile: this verdict is stale.
      if (!locked || locked.status !== "running" || locked.stageIndex !== row.stageIndex) return;
      await tx.update(schema.rollouts).set({ lastVerdict: reading }).where(eq(schema.rollouts.id, row.id));
      if (verdict.action === "hold") return;
      const command = verdict.action === "advance" ? "advance" : "rollback";
      const reason =
        verdict.action === "rollback"
          ? `${signalLabel(verdict.signal)} broke: ${verdict.reason}`
          : `every signal held over ${canary.runs} canary runs`;
      const outcome = await applyRolloutCommand(tx, locked, command, {
        source: "guard",
        actorEmail: null,
        signal: verdict.action === "rollback" ? verdict.signal : null,
        reason,
        readings: verdict.readings,
      });
      if (!outcome.ok) return;
      await tx.insert(schema.auditLog).values({
        id: newId("aud"),
        actorId: null,
        actorEmail: GUARD_ACTOR,
        action: `rollout.${outcome.after.status === "promoted" ? "promote" : command}`,
        targetType: "rollout",
        targetId: row.id,
        before: { ...outcome.before, percent: canaryPercent(stageStateOf(locked)) },
        after: { ...outcome.after, percent: outcome.percent, reason },
      });
    });
    return verdict;
  }

  /** One arm's live runs since `since` in which the rollout's agent took part. */
  async stats(agent: string, version: number, since: Date): Promise<ArmStats> {
    const [row] = await queryRows<{
      runs: number;
      failed: number;
      escalated: number;
      resolved: number;
      cost: number | null;
      eval_count: number;
      eval_score: number | null;
    }>(
      this.db,
      sql`select count(*)::int as runs,
          count(*) filter (where r.status = 'failed')::int as failed,
          count(*) filter (where r.status in ('escalated', 'waiting_for_human'))::int as escalated,
          count(*) filter (where r.status = 'completed')::int as resolved,
          coalesce(sum(r.cost_usd), 0)::float8 as cost,
          count(e.score)::int as eval_count,
          avg(e.score)::float8 as eval_score
        from runs r left join eval_scores e on e.run_id = r.id
        where r.status <> 'running' and r.priority = 0 and r.created_at >= ${since.toISOString()}::timestamptz
          and ${agent} = any(r.agents)
          and (r.checkpoint->'versions'->>${agent})::int = ${version}`,
    );
    const trips = await this.options.breakerTrips?.(agent, version, since);
    return {
      runs: row?.runs ?? 0,
      failed: row?.failed ?? 0,
      escalated: row?.escalated ?? 0,
      resolved: row?.resolved ?? 0,
      costUsd: Number(row?.cost ?? 0),
      evalCount: row?.eval_count ?? 0,
      evalScore: row?.eval_score === null || row?.eval_score === undefined ? null : Number(row.eval_score),
      ...(trips === undefined ? {} : { breakerTrips: trips }),
    };
  }
}
