import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { db, schema } from "@/db";
import { demoChains } from "@/lib/agents";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { type GuardReading, guardReadingOf } from "@/lib/rollouts/comparison";
import { markVersionsUsed } from "@/lib/rollouts/routing";
import { applyRolloutCommand, recordDecision, stageStateOf } from "@/lib/rollouts/transition";
import { canaryPercent, type RolloutCommand, type SignalReading, stagesProblem } from "@/lib/runtime/rollout";
import { isUniqueViolation } from "./agent-versions";
import { recordAudit } from "./audit";

export interface RolloutDecisionDto {
  id: string;
  action: string;
  source: string;
  actorEmail: string | null;
  signal: string | null;
  reason: string;
  readings: SignalReading[] | null;
  fromPercent: number;
  toPercent: number;
  createdAt: string;
}

export interface RolloutDto {
  id: string;
  chain: string;
  agent: string;
  stableVersion: number;
  canaryVersion: number;
  stages: number[];
  stageIndex: number;
  status: string;
  percent: number;
  minSample: number;
  /** The guard's latest verdict with both arms' stats, as its last tick stored them. */
  reading: GuardReading | null;
  createdAt: string;
  stageStartedAt: string;
  finishedAt: string | null;
  decisions: RolloutDecisionDto[];
}

const r = schema.rollouts;

/** Rollouts, active first then newest, with their decisions (newest first). */
export async function listRollouts(limit = 20): Promise<RolloutDto[]> {
  await authorize("rollouts:read");
  // Active first in SQL, so an old paused rollout is never cut off by newer finished ones.
  const rows = await db()
    .select()
    .from(r)
    .orderBy(sql`case when ${r.status} in ('running', 'paused') then 0 else 1 end`, desc(r.createdAt))
    .limit(limit);
  const ids = rows.map((row) => row.id);
  const decisions = ids.length
    ? await db()
        .select()
        .from(schema.rolloutDecisions)
        .where(inArray(schema.rolloutDecisions.rolloutId, ids))
        .orderBy(desc(schema.rolloutDecisions.createdAt), desc(schema.rolloutDecisions.id))
    : [];
  return rows.map((row) => ({
      id: row.id,
      chain: row.chain,
      agent: row.agent,
      stableVersion: row.stableVersion,
      canaryVersion: row.canaryVersion,
      stages: row.stages,
      stageIndex: row.stageIndex,
      status: row.status,
      percent: canaryPercent(stageStateOf(row)),
      minSample: row.minSample,
      reading: guardReadingOf(row.lastVerdict),
      createdAt: row.createdAt.toISOString(),
      stageStartedAt: row.stageStartedAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      decisions: decisions
        .filter((d) => d.rolloutId === row.id)
        .map((d) => ({
          id: d.id,
          action: d.action,
          source: d.source,
          actorEmail: d.actorEmail,
          signal: d.signal,
          reason: d.reason,
          readings: (d.readings as SignalReading[] | null) ?? null,
          fromPercent: d.fromPercent,
          toPercent: d.toPercent,
          createdAt: d.createdAt.toISOString(),
        })),
    }));
}

/** The version new conversations get today: the latest promoted canary, else the code's newest. */
export async function stableVersionOf(tx: Parameters<typeof recordDecision>[0], agent: string): Promise<number> {
  const [promoted] = await tx
    .select({ version: r.canaryVersion })
    .from(r)
    .where(and(eq(r.agent, agent), eq(r.status, "promoted")))
    .orderBy(desc(r.finishedAt))
    .limit(1);
  if (promoted) return promoted.version;
  const versions = demoChains().flatMap((c) => c.agents.filter((a) => a.name === agent).map((a) => a.version));
  return Math.max(0, ...versions);
}

export interface StartRolloutInput {
  agent: string;
  canaryVersion: number;
  stages: number[];
  minSample: number;
}

/** Starts a canary of a stored version against the agent's stable version; admins only, audited. */
export async function startRollout(actor: Actor, input: StartRolloutInput): Promise<RolloutDto["id"]> {
  const problem = stagesProblem(input.stages);
  if (problem) throw new AppError("invalid", problem, { stages: [problem] });
  try {
    return await db().transaction(async (tx) => {
      const [version] = await tx
        .select()
        .from(schema.agentVersions)
        .where(and(eq(schema.agentVersions.agent, input.agent), eq(schema.agentVersions.version, input.canaryVersion)));
      if (!version) throw new AppError("invalid", "Choose a version.", { canaryVersion: ["No such version."] });
      const stableVersion = await stableVersionOf(tx, input.agent);
      if (stableVersion === input.canaryVersion) {
        throw new AppError("invalid", "That version is already stable.", { canaryVersion: ["Already stable."] });
      }
      const id = newId("rol");
      await tx.insert(r).values({
        id,
        chain: version.chain,
        agent: input.agent,
        stableVersion,
        canaryVersion: input.canaryVersion,
        stages: input.stages,
        status: "running",
        minSample: input.minSample,
        createdBy: actor.id,
      });
      // From now on runs pin it: it is used, so immutable.
      await markVersionsUsed(tx, input.agent, [input.canaryVersion]);
      await tx
        .update(schema.agentVersions)
        .set({ status: "active" })
        .where(eq(schema.agentVersions.id, version.id));
      await recordDecision(tx, id, "start", 0, input.stages[0]!, { source: actor.id, actorEmail: actor.email });
      await recordAudit(tx, actor, {
        action: "rollout.start",
        targetType: "rollout",
        targetId: id,
        after: { agent: input.agent, stableVersion, canaryVersion: input.canaryVersion, stages: input.stages, minSample: input.minSample },
      });
      return id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", `${input.agent} already has a rollout in progress; finish it first.`);
    }
    throw error;
  }
}

/** Pause, resume, advance, promote or roll back; admins only, audited with before and after. */
export async function changeRollout(actor: Actor, rolloutId: string, command: RolloutCommand): Promise<RolloutDto["status"]> {
  return db().transaction(async (tx) => {
    const [row] = await tx.select().from(r).where(eq(r.id, rolloutId)).for("update");
    if (!row) throw new AppError("not_found", "No such rollout.");
    const outcome = await applyRolloutCommand(tx, row, command, {
      source: actor.id,
      actorEmail: actor.email,
      reason: `${command} by ${actor.email}`,
    });
    if (!outcome.ok) throw new AppError("conflict", outcome.reason);
    await recordAudit(tx, actor, {
      action: `rollout.${command}`,
      targetType: "rollout",
      targetId: rolloutId,
      before: { ...outcome.before, percent: canaryPercent(outcome.before) },
      after: { ...outcome.after, percent: outcome.percent },
    });
    return outcome.after.status;
  });
}
