import "server-only";
import { and, desc, eq, gte, isNull, or, sql } from "drizzle-orm";
import { db, schema } from "@/db";
import type { AnomalyMetric } from "@/lib/alerts/detect";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { recordAudit } from "./audit";

export interface AnomalyAlertDto {
  id: string;
  agent: string;
  metric: AnomalyMetric;
  value: number;
  baseline: number;
  baselineStd: number;
  rule: "twice_daily_average" | "two_std";
  bucket: string;
  windowHours: number;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedByEmail: string | null;
}

const a = schema.anomalyAlerts;
/** Acknowledged alerts stay listed this long, so the team sees what was looked at recently. */
const ACKNOWLEDGED_SHOWN_MS = 7 * 86_400_000;

/** Open alerts first (newest first), then those acknowledged in the last week. */
export async function listAnomalyAlerts(opts: { openOnly?: boolean; limit?: number } = {}): Promise<AnomalyAlertDto[]> {
  await authorize("budgets:read");
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const recent = gte(a.acknowledgedAt, new Date(Date.now() - ACKNOWLEDGED_SHOWN_MS));
  const rows = await db()
    .select({
      id: a.id,
      agent: a.agent,
      metric: a.metric,
      value: a.value,
      baseline: a.baseline,
      baselineStd: a.baselineStd,
      rule: a.rule,
      bucket: a.bucket,
      windowHours: a.windowHours,
      raisedAt: a.raisedAt,
      acknowledgedAt: a.acknowledgedAt,
      acknowledgedByEmail: schema.users.email,
    })
    .from(a)
    .leftJoin(schema.users, eq(schema.users.id, a.acknowledgedBy))
    .where(opts.openOnly ? isNull(a.acknowledgedAt) : or(isNull(a.acknowledgedAt), recent))
    .orderBy(sql`${a.acknowledgedAt} is not null`, desc(a.raisedAt), desc(a.id))
    .limit(limit);
  return rows.map((r) => ({
    ...r,
    metric: r.metric as AnomalyMetric,
    rule: r.rule as AnomalyAlertDto["rule"],
    bucket: r.bucket.toISOString(),
    raisedAt: r.raisedAt.toISOString(),
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
  }));
}

/**
 * Marks an open alert as seen. Conditional on it still being open, so two people acknowledging at
 * once record one acknowledgement; audited in the same transaction. Once acknowledged, the next
 * anomaly of the same agent and metric raises a new alert.
 */
export async function acknowledgeAlert(actor: Actor, id: string): Promise<{ id: string }> {
  return db().transaction(async (tx) => {
    const now = new Date();
    const [row] = await tx
      .update(a)
      .set({ acknowledgedBy: actor.id, acknowledgedAt: now })
      .where(and(eq(a.id, id), isNull(a.acknowledgedAt)))
      .returning({ id: a.id, agent: a.agent, metric: a.metric, value: a.value });
    if (!row) throw new AppError("not_found", "That alert does not exist or was already acknowledged.");
    await recordAudit(tx, actor, {
      action: "alert.acknowledge",
      targetType: "anomaly_alert",
      targetId: id,
      before: { acknowledgedAt: null },
      after: { acknowledgedAt: now.toISOString(), agent: row.agent, metric: row.metric },
    });
    return { id };
  });
}
