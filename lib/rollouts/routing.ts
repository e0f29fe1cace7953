import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { type ActiveRollout, assignConversation, canaryPercent, type RolloutStatus } from "@/lib/runtime/rollout";
import { type AgentCatalog } from "./catalog";

const versionsSchema = z.record(z.string(), z.number().int());
const armsSchema = z.record(z.string(), z.enum(["canary", "stable"]));

/**
 * Which agent versions a conversation's runs pin. The first turn gets the code-defined versions,
 * overlaid with promoted rollouts and its arm of every active one, and the full map is stored
 * with the conversation; later turns (in any process, after any restart) read it back, so a
 * conversation never switches version mid-way. Two exceptions: a rolled-back canary's conversations
 * return to the stable version, which is the point of rolling back; and a version a deploy removed
 * gives way to the current code version.
 */
export class RolloutRouting {
  constructor(readonly catalog: AgentCatalog) {}

  ensure(versions: Readonly<Record<string, number>>, db?: Database): Promise<void> {
    return this.catalog.ensure(versions, db);
  }

  async pin(db: Database, conversationId: string, chain: string, firstTurn: boolean): Promise<Record<string, number>> {
    if (!firstTurn) {
      const kept = await this.stored(db, conversationId);
      if (kept) return this.runnable(db, chain, kept);
    }
    const { versions, arms } = await this.assign(db, conversationId, chain);
    await db
      .insert(schema.conversationAssignments)
      .values({ conversationId, versions, arms })
      .onConflictDoNothing();
    return versions;
  }

  /** The versions a new conversation of `chain` would get (also what the console shows as stable). */
  async assign(db: Database, conversationId: string, chain: string) {
    const r = schema.rollouts;
    const rows = await db
      .select({
        id: r.id,
        agent: r.agent,
        stableVersion: r.stableVersion,
        canaryVersion: r.canaryVersion,
        stages: r.stages,
        stageIndex: r.stageIndex,
        status: r.status,
      })
      .from(r)
      .where(and(eq(r.chain, chain), inArray(r.status, ["running", "paused", "promoted"])))
      .orderBy(r.finishedAt);
    const versions: Record<string, number> = { ...this.codeVersions(chain) };
    const active: ActiveRollout[] = [];
    for (const row of rows) {
      const status = row.status as RolloutStatus;
      // Ordered by finish time, nulls (the active ones) last: the latest promotion wins.
      if (status === "promoted") versions[row.agent] = row.canaryVersion;
      else
        active.push({
          ...row,
          percent: canaryPercent({ status, stages: row.stages, stageIndex: row.stageIndex }),
          paused: status === "paused",
        });
    }
    const assignment = assignConversation(conversationId, active);
    return { versions: { ...versions, ...assignment.versions }, arms: assignment.arms };
  }

  /**
   * A deploy that bumps a code-defined agent takes the old version out of the process, and only
   * console-created versions are stored. A conversation pinned to a version nobody can run any
   * more moves to the current code version rather than failing its next turn.
   */
  private async runnable(db: Database, chain: string, kept: Record<string, number>): Promise<Record<string, number>> {
    await this.catalog.ensure(kept, db);
    const code = this.codeVersions(chain);
    const out = { ...kept };
    for (const [agent, version] of Object.entries(kept)) {
      const current = code[agent];
      if (current !== undefined && !this.catalog.has(agent, version)) out[agent] = current;
    }
    return out;
  }

  private async stored(db: Database, conversationId: string): Promise<Record<string, number> | null> {
    const [row] = await db
      .select({ versions: schema.conversationAssignments.versions, arms: schema.conversationAssignments.arms })
      .from(schema.conversationAssignments)
      .where(eq(schema.conversationAssignments.conversationId, conversationId));
    const versions = versionsSchema.safeParse(row?.versions);
    if (!versions.success) return null;
    const arms = armsSchema.safeParse(row?.arms);
    const canaries = Object.entries(arms.success ? arms.data : {})
      .filter(([, arm]) => arm === "canary")
      .map(([id]) => id);
    if (canaries.length === 0) return versions.data;
    const r = schema.rollouts;
    const rolledBack = await db
      .select({ agent: r.agent, stableVersion: r.stableVersion })
      .from(r)
      .where(and(inArray(r.id, canaries), eq(r.status, "rolled_back")))
      .orderBy(desc(r.finishedAt));
    const out = { ...versions.data };
    for (const row of rolledBack) out[row.agent] = row.stableVersion;
    return out;
  }

  private codeVersions(chain: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const agent of this.catalog.base.find((c) => c.name === chain)?.agents ?? []) {
      out[agent.name] = Math.max(out[agent.name] ?? 0, agent.version);
    }
    return out;
  }
}

/** Marks versions as used: from now on neither the console nor any other writer may change them. */
export async function markVersionsUsed(db: Database, agent: string, versions: readonly number[]): Promise<void> {
  if (versions.length === 0) return;
  const v = schema.agentVersions;
  await db
    .update(v)
    .set({ firstUsedAt: sql`now()` })
    .where(and(eq(v.agent, agent), inArray(v.version, [...versions]), sql`${v.firstUsedAt} is null`));
}
