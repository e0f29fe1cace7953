import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import type { ScoreSeriesRow } from "@/lib/evals/charts";
import type { Bucket, TimeRange } from "@/lib/metrics/range";
import { jsonbValue, queryRows } from "@/lib/runs/sql";

const ORIGIN = sql.raw(`'2000-01-01 00:00:00+00'::timestamptz`);
const interval = (bucket: Bucket) => sql.raw(bucket === "hour" ? `'1 hour'::interval` : `'1 day'::interval`);
const iso = (ms: number) => new Date(ms).toISOString();

/** Mean score per agent version and bucket. */
export async function getScoreSeries(range: TimeRange, bucket: Bucket): Promise<ScoreSeriesRow[]> {
  await authorize("evaluations:read");
  const rows = await queryRows<Record<string, unknown>>(
    db(),
    // Bucketed by when the run answered, not when it was scored: the trend is of the answers.
    sql`select e.agent, e.agent_version,
        (extract(epoch from date_bin(${interval(bucket)}, r.ended_at, ${ORIGIN})) * 1000)::float8 as bucket,
        avg(e.score)::float8 as score, count(*)::int as n
      from eval_scores e join runs r on r.id = e.run_id
      where r.ended_at >= ${iso(range.from)}::timestamptz and r.ended_at < ${iso(range.to)}::timestamptz
      group by 1, 2, 3 order by 1, 2, 3`,
  );
  return rows.map((r) => ({
    agent: String(r.agent),
    version: Number(r.agent_version),
    bucket: Number(r.bucket),
    score: Number(r.score),
    count: Number(r.n),
  }));
}

export interface LowScoreDto {
  runId: string;
  conversationId: string;
  agent: string;
  version: number;
  score: number;
  judgeScore: number | null;
  rationale: string | null;
  failedChecks: string[];
  createdAt: string;
}

/** The lowest-scoring runs of the range, worst first. */
export async function listLowestScores(range: TimeRange, limit = 10): Promise<LowScoreDto[]> {
  await authorize("evaluations:read");
  const rows = await queryRows<{
    run_id: string;
    conversation_id: string;
    agent: string;
    agent_version: number;
    score: number;
    judge_score: number | null;
    judge_rationale: string | null;
    checks: unknown;
    created_at: string | Date;
  }>(
    db(),
    sql`select e.run_id, e.conversation_id, e.agent, e.agent_version, e.score, e.judge_score, e.judge_rationale,
        e.checks, r.ended_at as created_at
      from eval_scores e join runs r on r.id = e.run_id
      where r.ended_at >= ${iso(range.from)}::timestamptz and r.ended_at < ${iso(range.to)}::timestamptz
      order by e.score, r.ended_at desc limit ${limit}`,
  );
  return rows.map((r) => {
    const checks = jsonbValue(r.checks) as { name: string; passed: boolean; detail: string }[];
    return {
      runId: r.run_id,
      conversationId: r.conversation_id,
      agent: r.agent,
      version: Number(r.agent_version),
      score: Number(r.score),
      judgeScore: r.judge_score === null ? null : Number(r.judge_score),
      rationale: r.judge_rationale,
      failedChecks: checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`),
      createdAt: new Date(r.created_at).toISOString(),
    };
  });
}

export interface EvalCoverageDto {
  finishedConversations: number;
  scoredConversations: number;
  scores: number;
  meanScore: number | null;
}

/** How much of the range's answered traffic was scored (the design's floor is 5%). */
export async function getEvalCoverage(range: TimeRange): Promise<EvalCoverageDto> {
  await authorize("evaluations:read");
  const [row] = await queryRows<Record<string, unknown>>(
    db(),
    sql`select
        (select count(distinct conversation_id) from runs where status = 'completed' and priority = 0
          and ended_at >= ${iso(range.from)}::timestamptz and ended_at < ${iso(range.to)}::timestamptz)::int as finished,
        s.scored, s.scores, s.mean
      from (select count(distinct e.conversation_id)::int as scored, count(*)::int as scores, avg(e.score)::float8 as mean
        from eval_scores e join runs r on r.id = e.run_id
        where r.ended_at >= ${iso(range.from)}::timestamptz and r.ended_at < ${iso(range.to)}::timestamptz) s`,
  );
  return {
    finishedConversations: Number(row?.finished ?? 0),
    scoredConversations: Number(row?.scored ?? 0),
    scores: Number(row?.scores ?? 0),
    meanScore: row?.mean === null || row?.mean === undefined ? null : Number(row.mean),
  };
}
