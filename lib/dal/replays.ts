import "server-only";
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { db, schema } from "@/db";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { ReplayComparison } from "@/lib/replay/replay";
import { markVersionsUsed } from "@/lib/rollouts/routing";
import { recordAudit } from "./audit";

/** Which recorded conversations a replay batch takes. */
export const replayFilters = {
  escalated_7d: { label: "Escalated in the last 7 days", statuses: ["escalated"], days: 7 },
  answered_24h: { label: "Answered in the last 24 hours", statuses: ["waiting_for_customer", "resolved"], days: 1 },
  all_24h: { label: "Every conversation of the last 24 hours", statuses: null, days: 1 },
} as const;
export type ReplayFilter = keyof typeof replayFilters;

export interface StartReplaysInput {
  agent: string;
  candidateVersion: number;
  conversationId?: string;
  filter?: ReplayFilter;
  limit: number;
}

/** Queues replays of one conversation or of a filter's latest conversations; audited. */
export async function startReplays(actor: Actor, input: StartReplaysInput): Promise<{ batchId: string; count: number }> {
  return db().transaction(async (tx) => {
    const [version] = await tx
      .select({ chain: schema.agentVersions.chain })
      .from(schema.agentVersions)
      .where(and(eq(schema.agentVersions.agent, input.agent), eq(schema.agentVersions.version, input.candidateVersion)));
    if (!version) throw new AppError("invalid", "Choose a version.", { version: ["No such version."] });
    const c = schema.conversations;
    const filter = input.filter ? replayFilters[input.filter] : null;
    const targets = await tx
      .select({ id: c.id })
      .from(c)
      .where(
        and(
          eq(c.chain, version.chain),
          input.conversationId ? eq(c.id, input.conversationId) : undefined,
          filter?.statuses ? inArray(c.status, [...filter.statuses]) : undefined,
          filter ? gte(c.createdAt, new Date(Date.now() - filter.days * 86_400_000)) : undefined,
          // A filter picks conversations the candidate's agent took part in: others would replay unchanged.
          filter
            ? sql`exists (select 1 from runs r where r.conversation_id = ${c.id} and ${input.agent} = any(r.agents))`
            : undefined,
        ),
      )
      .orderBy(desc(c.createdAt))
      .limit(input.limit);
    if (targets.length === 0) {
      throw new AppError("invalid", "No recorded conversation matches.", { conversationId: ["Nothing to replay."] });
    }
    const batchId = newId("rpb");
    await tx.insert(schema.replays).values(
      targets.map((t) => ({
        id: newId("rpl"),
        batchId,
        conversationId: t.id,
        agent: input.agent,
        candidateVersion: input.candidateVersion,
        createdBy: actor.id,
      })),
    );
    // Replay results name the version: it must not change under them.
    await markVersionsUsed(tx, input.agent, [input.candidateVersion]);
    await recordAudit(tx, actor, {
      action: "replay.start",
      targetType: "replay_batch",
      targetId: batchId,
      after: { agent: input.agent, candidateVersion: input.candidateVersion, conversations: targets.map((t) => t.id) },
    });
    return { batchId, count: targets.length };
  });
}

export interface ReplayDto {
  id: string;
  batchId: string;
  conversationId: string;
  agent: string;
  candidateVersion: number;
  status: string;
  result: ReplayComparison | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export async function listReplays(limit = 20): Promise<ReplayDto[]> {
  await authorize("evaluations:read");
  const r = schema.replays;
  const rows = await db().select().from(r).orderBy(desc(r.createdAt), desc(r.id)).limit(limit);
  return rows.map((row) => ({
    id: row.id,
    batchId: row.batchId,
    conversationId: row.conversationId,
    agent: row.agent,
    candidateVersion: row.candidateVersion,
    status: row.status,
    result: (row.result as ReplayComparison | null) ?? null,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  }));
}
