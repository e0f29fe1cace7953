import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { newId } from "@/lib/ids";
import {
  canaryPercent,
  nextRollout,
  type RolloutCommand,
  type RolloutStageState,
  type RolloutStatus,
  type SignalReading,
} from "@/lib/runtime/rollout";

export type RolloutRow = typeof schema.rollouts.$inferSelect;

export function stageStateOf(row: Pick<RolloutRow, "status" | "stages" | "stageIndex">): RolloutStageState {
  return { status: row.status as RolloutStatus, stages: row.stages, stageIndex: row.stageIndex };
}

export interface DecisionInput {
  /** `guard`, or the admin's user id. */
  source: string;
  actorEmail: string | null;
  signal?: string | null;
  reason?: string;
  readings?: readonly SignalReading[];
}

export type ChangeOutcome =
  | { ok: true; before: RolloutStageState; after: RolloutStageState; percent: number }
  | { ok: false; reason: string };

/**
 * Applies a command to a rollout row the caller has locked (inside its transaction): the new stage
 * state from the pure machine, and the decision record with the signal and numbers behind it.
 * Admin commands and the guard's verdicts both come through here, so both leave the same trail.
 */
export async function applyRolloutCommand(
  tx: Database,
  row: RolloutRow,
  command: RolloutCommand,
  decision: DecisionInput,
): Promise<ChangeOutcome> {
  const before = stageStateOf(row);
  const next = nextRollout(before, command);
  if (!next.ok) return next;
  const after = next.state;
  const finished = after.status === "promoted" || after.status === "rolled_back";
  await tx
    .update(schema.rollouts)
    .set({
      status: after.status,
      stageIndex: after.stageIndex,
      updatedAt: sql`now()`,
      // A new stage is judged on its own traffic.
      ...(after.stageIndex !== before.stageIndex ? { stageStartedAt: sql`now()` } : {}),
      ...(finished ? { finishedAt: sql`now()` } : {}),
    })
    .where(eq(schema.rollouts.id, row.id));
  if (after.status === "promoted") {
    await tx
      .update(schema.agentVersions)
      .set({ status: "active" })
      .where(sql`${schema.agentVersions.agent} = ${row.agent} and ${schema.agentVersions.version} = ${row.canaryVersion}`);
  }
  await recordDecision(tx, row.id, command, canaryPercent(before), canaryPercent(after), decision);
  return { ok: true, before, after, percent: canaryPercent(after) };
}

export async function recordDecision(
  tx: Database,
  rolloutId: string,
  action: string,
  fromPercent: number,
  toPercent: number,
  d: DecisionInput,
): Promise<void> {
  await tx.insert(schema.rolloutDecisions).values({
    id: newId("rdc"),
    rolloutId,
    action,
    source: d.source,
    actorEmail: d.actorEmail,
    signal: d.signal ?? null,
    reason: d.reason ?? "",
    readings: d.readings ?? null,
    fromPercent,
    toPercent,
  });
}
