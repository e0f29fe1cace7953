import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { anomalyAlerts } from "@/db/schema";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import { queryRows } from "@/lib/runs/sql";
import { type Anomaly, type DetectOptions, defaultDetectOptions, detectAnomalies } from "./detect";
import { type AgentHour, metricPoints } from "./points";

const HOUR_MS = 3_600_000;
/** Bucket origin for date_bin, the same as the metrics pages use (lib/dal/metrics.ts). */
const ORIGIN = sql`'2000-01-01 00:00:00+00'::timestamptz`;

export interface RaisedAlert {
  id: string;
  agent: string;
  metric: string;
}

export interface Evaluation {
  /** The judged hour (epoch ms of its start): the last complete hour before `now`. */
  bucket: number;
  /** What the detector found for that hour. */
  anomalies: Anomaly[];
  /** The alerts this evaluation added; an anomaly already alerted (or still open) adds none. */
  raised: RaisedAlert[];
}

/**
 * Judges the last complete hour of every agent against the window of hours before it and raises
 * an alert per anomaly. A complete hour, because a partial one has too few samples for a rate and
 * its spend is still growing. One aggregate query over LLM calls and runs (both by their time index),
 * then one insert that does nothing for alerts that exist already.
 */
export async function evaluateAnomalies(
  db: Database,
  now: number = Date.now(),
  options: DetectOptions = defaultDetectOptions,
): Promise<Evaluation> {
  const bucket = Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS;
  const from = bucket - options.windowSize * HOUR_MS;
  const hours = await agentHours(db, from, bucket + HOUR_MS);
  const anomalies = detectAnomalies(metricPoints(hours), options).filter((a) => a.bucket === bucket);
  if (anomalies.length === 0) return { bucket, anomalies, raised: [] };
  const raised = await db
    .insert(anomalyAlerts)
    .values(
      anomalies.map((a) => ({
        id: newId("alr"),
        agent: a.agent,
        metric: a.metric,
        value: a.value,
        baseline: a.baselineMean,
        baselineStd: a.baselineStd,
        rule: a.rule,
        bucket: new Date(a.bucket),
        windowHours: options.windowSize,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: anomalyAlerts.id, agent: anomalyAlerts.agent, metric: anomalyAlerts.metric });
  return { bucket, anomalies, raised };
}

async function agentHours(db: Database, fromMs: number, toMs: number): Promise<AgentHour[]> {
  const from = sql`${new Date(fromMs).toISOString()}::timestamptz`;
  const to = sql`${new Date(toMs).toISOString()}::timestamptz`;
  const hour = sql.raw(`'1 hour'::interval`);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`with s as (
        select agent, date_bin(${hour}, started_at, ${ORIGIN}) as b,
          count(*) as calls,
          coalesce(sum(cost_usd), 0)::float8 as spend,
          avg(duration_ms)::float8 as latency,
          count(*) filter (where status = 'error') as errors
        from llm_calls
        where started_at >= ${from} and started_at < ${to} and agent is not null
        group by 1, 2
      ), r as (
        select a.agent, date_bin(${hour}, r.created_at, ${ORIGIN}) as b,
          count(*) filter (where r.status in ('completed', 'escalated', 'failed')) as settled,
          count(*) filter (where r.status = 'escalated') as escalated
        from runs r cross join lateral unnest(r.agents) as a(agent)
        where r.created_at >= ${from} and r.created_at < ${to}
        group by 1, 2
      )
      select coalesce(s.agent, r.agent) as agent,
        (extract(epoch from coalesce(s.b, r.b)) * 1000)::float8 as bucket,
        s.calls, s.spend, s.latency, s.errors, r.settled, r.escalated
      from s full join r on r.agent = s.agent and r.b = s.b`,
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    agent: String(r.agent),
    bucket: Number(r.bucket),
    calls: num(r.calls),
    spendUsd: num(r.spend),
    latencyMs: num(r.latency),
    errors: num(r.errors),
    settledRuns: num(r.settled),
    escalatedRuns: num(r.escalated),
  }));
}

export interface AnomalyEvaluatorOptions {
  /** How often to look; each complete hour is evaluated once per process. */
  intervalMs?: number;
}

/**
 * Evaluates every few minutes in the background of the app process. An hour is judged once it is
 * complete, so after the first success for an hour the ticks until the next one cost nothing;
 * other processes doing the same add no duplicates (see anomaly_alerts' unique indexes).
 */
export function startAnomalyEvaluator(db: Database, options: AnomalyEvaluatorOptions = {}): () => void {
  let judged = 0;
  let busy = false;
  const tick = async () => {
    const bucket = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
    if (busy || bucket === judged) return;
    busy = true;
    try {
      const result = await evaluateAnomalies(db);
      judged = result.bucket;
      if (result.raised.length > 0) log("info", "anomaly alerts raised", { alerts: result.raised });
    } catch (error) {
      log("warn", "anomaly evaluation failed; retrying at the next tick", {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 5 * 60_000);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
