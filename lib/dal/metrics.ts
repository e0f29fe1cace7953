import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import {
  type AgentMetrics,
  combineAgentMetrics,
  type HandoffAggregate,
  type LlmAggregate,
  type RunAggregate,
} from "@/lib/metrics/definitions";
import type { OverviewMetrics, OverviewRunHour } from "@/lib/metrics/overview";
import { assertBoundedRange, type Bucket, DAY_MS, type TimeRange } from "@/lib/metrics/range";
import type { AgentSeriesRow } from "@/lib/metrics/series";
import { defaultRuntimeParts } from "@/lib/runs/default-parts";
import { queryRows } from "@/lib/runs/sql";

/**
 * Per-agent and overview metrics. Every query is one aggregate over a bounded window, driven by
 * the indexes the console relies on (llm_calls (started_at, BRIN), spans (kind, started_at), runs
 * (created_at), and the primary keys' trace_id for per-run probes): no span or run row is loaded
 * into memory. Definitions: lib/metrics.
 */

/** Settled run statuses: the outcome of these turns is known. */
const SETTLED = sql`('completed', 'escalated', 'failed')`;
/** Bucket origin for date_bin: UTC midnight, so hours and days align the same on every server. */
const ORIGIN = sql`'2000-01-01 00:00:00+00'::timestamptz`;

const iso = (ms: number) => new Date(ms).toISOString();
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function bounds(range: TimeRange) {
  assertBoundedRange(range);
  return { from: sql`${iso(range.from)}::timestamptz`, to: sql`${iso(range.to)}::timestamptz` };
}

/** One row per agent version seen in the window: the table of /agents. */
export async function getAgentMetrics(range: TimeRange): Promise<AgentMetrics[]> {
  await authorize("agents:read");
  const w = bounds(range);
  const [llm, runs, handoffs] = await Promise.all([llmAggregates(w), runAggregates(w), handoffAggregates(w)]);
  return combineAgentMetrics(llm, runs, handoffs);
}

type Window = ReturnType<typeof bounds>;

async function llmAggregates(w: Window): Promise<LlmAggregate[]> {
  const rows = await queryRows<Record<string, unknown>>(db(), sql`
    select agent, agent_version as version,
      count(*) filter (where kind = 'llm') as llm_calls,
      count(*) filter (where kind = 'llm' and status = 'error') as llm_errors,
      count(*) filter (where kind = 'retry') as retries,
      count(*) filter (where kind = 'fallback') as fallbacks,
      count(*) filter (where kind = 'fallback' and reason = 'breaker_open') as fallbacks_without_call,
      (percentile_cont(0.5) within group (order by duration_ms) filter (where kind = 'llm'))::float8 as p50,
      (percentile_cont(0.95) within group (order by duration_ms) filter (where kind = 'llm'))::float8 as p95,
      (percentile_cont(0.99) within group (order by duration_ms) filter (where kind = 'llm'))::float8 as p99,
      coalesce(sum(input_tokens) filter (where kind = 'llm'), 0)::float8 as input_tokens,
      coalesce(sum(output_tokens) filter (where kind = 'llm'), 0)::float8 as output_tokens,
      coalesce(sum(cost_usd) filter (where kind = 'llm'), 0)::float8 as cost_usd
    from (
      select 'llm' as kind, agent, agent_version, status, duration_ms, input_tokens, output_tokens, cost_usd,
        null as reason
      from llm_calls
      where started_at >= ${w.from} and started_at < ${w.to} and agent is not null
      union all
      select kind, agent, agent_version, status, duration_ms, input_tokens, output_tokens, cost_usd,
        attributes->>'switchyard.reason' as reason
      from spans
      where kind in ('retry', 'fallback') and started_at >= ${w.from} and started_at < ${w.to}
        and agent is not null
    ) x
    group by agent, agent_version`);
  return rows.map((r) => ({
    agent: String(r.agent),
    version: numOrNull(r.version),
    llmCalls: num(r.llm_calls),
    llmErrors: num(r.llm_errors),
    retries: num(r.retries),
    fallbacks: num(r.fallbacks),
    fallbacksWithoutCall: num(r.fallbacks_without_call),
    p50: numOrNull(r.p50),
    p95: numOrNull(r.p95),
    p99: numOrNull(r.p99),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    costUsd: num(r.cost_usd),
  }));
}

/**
 * Runs created in the window, once per agent in runs.agents. The agent's version in a run is
 * pinned at its start, so the first LLM call of that agent in the run's trace names it, or, for
 * an agent that made none (it answered from the cache), its first stored span (both through
 * their primary keys' trace_id).
 */
async function runAggregates(w: Window): Promise<RunAggregate[]> {
  const rows = await queryRows<Record<string, unknown>>(db(), sql`
    select a.agent, v.version,
      count(*) as runs,
      count(*) filter (where r.status in ${SETTLED}) as settled,
      count(*) filter (where r.status = 'escalated') as escalated,
      count(*) filter (where r.status = 'completed') as completed,
      coalesce(sum(r.cost_usd), 0)::float8 as cost_usd
    from runs r
    cross join lateral unnest(r.agents) as a(agent)
    left join lateral (
      select coalesce(
        (select c.agent_version from llm_calls c
          where c.trace_id = r.trace_id and c.agent = a.agent and c.agent_version is not null limit 1),
        (select s.agent_version from spans s
          where s.trace_id = r.trace_id and s.agent = a.agent and s.agent_version is not null limit 1)
      ) as version
    ) v on true
    where r.created_at >= ${w.from} and r.created_at < ${w.to}
    group by a.agent, v.version`);
  return rows.map((r) => ({
    agent: String(r.agent),
    version: numOrNull(r.version),
    runs: num(r.runs),
    settledRuns: num(r.settled),
    escalatedRuns: num(r.escalated),
    completedRuns: num(r.completed),
    runsCostUsd: num(r.cost_usd),
  }));
}

/**
 * Handoffs from each agent version in the window. A handoff is reversed when the same run later
 * (by start time, then insertion order) hands off from its target back to its source.
 */
async function handoffAggregates(w: Window): Promise<HandoffAggregate[]> {
  const rows = await queryRows<Record<string, unknown>>(db(), sql`
    select h.attributes->>'switchyard.handoff.from' as agent, h.agent_version as version,
      count(*) as handoffs,
      count(*) filter (where not x.reversed and r.status <> 'escalated') as correct
    from spans h
    join runs r on r.id = h.run_id
    cross join lateral (
      select exists (
        select 1 from spans b
        where b.trace_id = h.trace_id and b.kind = 'handoff'
          and b.attributes->>'switchyard.handoff.from' = h.attributes->>'switchyard.handoff.to'
          and b.attributes->>'switchyard.handoff.to' = h.attributes->>'switchyard.handoff.from'
          and (b.started_at, b.ingest_id) > (h.started_at, h.ingest_id)
      ) as reversed
    ) x
    where h.kind = 'handoff' and h.started_at >= ${w.from} and h.started_at < ${w.to}
      and h.attributes ? 'switchyard.handoff.from'
    group by 1, 2`);
  return rows.map((r) => ({
    agent: String(r.agent),
    version: numOrNull(r.version),
    handoffs: num(r.handoffs),
    correctHandoffs: num(r.correct),
  }));
}

const interval = (bucket: Bucket) => sql.raw(bucket === "hour" ? `'1 hour'::interval` : `'1 day'::interval`);

/** Per agent and bucket: LLM calls, errors, p95 latency and cost (the charts of /agents). */
export async function getAgentSeries(range: TimeRange, bucket: Bucket): Promise<AgentSeriesRow[]> {
  await authorize("agents:read");
  const w = bounds(range);
  const rows = await queryRows<Record<string, unknown>>(db(), sql`
    select agent, (extract(epoch from date_bin(${interval(bucket)}, started_at, ${ORIGIN})) * 1000)::float8 as bucket,
      count(*) as llm_calls,
      count(*) filter (where status = 'error') as llm_errors,
      (percentile_cont(0.95) within group (order by duration_ms))::float8 as p95,
      coalesce(sum(cost_usd), 0)::float8 as cost_usd
    from llm_calls
    where started_at >= ${w.from} and started_at < ${w.to} and agent is not null
    group by 1, 2
    order by 1, 2`);
  return rows.map((r) => ({
    agent: String(r.agent),
    bucket: num(r.bucket),
    llmCalls: num(r.llm_calls),
    llmErrors: num(r.llm_errors),
    latencyP95Ms: numOrNull(r.p95),
    costUsd: num(r.cost_usd),
  }));
}

/** The overview's last 24 hours ending at `now` (every role may read it). */
export async function getOverviewMetrics(now: number = Date.now()): Promise<OverviewMetrics> {
  await authorize("overview:read");
  const range = { from: now - DAY_MS, to: now };
  const w = bounds(range);
  const hour = interval("hour");
  const [conversationRows, runRows] = await Promise.all([
    queryRows<Record<string, unknown>>(db(), sql`
      select (extract(epoch from date_bin(${hour}, created_at, ${ORIGIN})) * 1000)::float8 as bucket,
        count(*) as conversations
      from conversations
      where created_at >= ${w.from} and created_at < ${w.to}
      group by 1 order by 1`),
    // Grouping sets give the hourly rows and the day's total (bucket null) in one scan; the
    // total's p95 must come from the raw durations, not from hourly p95s.
    queryRows<Record<string, unknown>>(db(), sql`
      with r as (
        select date_bin(${hour}, created_at, ${ORIGIN}) as bucket_at, status, duration_ms, cost_usd, errors
        from runs
        where created_at >= ${w.from} and created_at < ${w.to}
      )
      select (extract(epoch from bucket_at) * 1000)::float8 as bucket,
        count(*) as runs,
        count(*) filter (where status in ${SETTLED}) as settled,
        count(*) filter (where status = 'completed') as completed,
        count(*) filter (where status = 'escalated') as escalated,
        (percentile_cont(0.95) within group (order by duration_ms) filter (where status in ${SETTLED}))::float8 as p95,
        coalesce(sum(cost_usd), 0)::float8 as cost_usd,
        coalesce(sum(errors), 0)::float8 as errors
      from r
      group by grouping sets ((bucket_at), ())
      order by 1 nulls first`),
  ]);
  const conversationHours = conversationRows.map((r) => ({ bucket: num(r.bucket), conversations: num(r.conversations) }));
  const toHour = (r: Record<string, unknown>): OverviewRunHour & { runs: number } => ({
    bucket: num(r.bucket),
    runs: num(r.runs),
    settledRuns: num(r.settled),
    completedRuns: num(r.completed),
    escalatedRuns: num(r.escalated),
    turnLatencyP95Ms: numOrNull(r.p95),
    costUsd: num(r.cost_usd),
    errors: num(r.errors),
  });
  const total = runRows.find((r) => r.bucket === null || r.bucket === undefined);
  const t = total ? toHour(total) : null;
  return {
    range,
    totals: {
      conversations: conversationHours.reduce((n, h) => n + h.conversations, 0),
      runs: t?.runs ?? 0,
      settledRuns: t?.settledRuns ?? 0,
      completedRuns: t?.completedRuns ?? 0,
      escalatedRuns: t?.escalatedRuns ?? 0,
      turnLatencyP95Ms: t?.turnLatencyP95Ms ?? null,
      costUsd: t?.costUsd ?? 0,
      errors: t?.errors ?? 0,
    },
    conversationHours,
    runHours: runRows
      .filter((r) => r !== total)
      .map((r) => {
        const { runs: _runs, ...hour } = toHour(r);
        return hour;
      }),
  };
}

export interface AgentDefinitionDto {
  chain: string;
  pattern: string;
  name: string;
  version: number;
  tier: string;
  tools: string[];
  handoffs: string[];
}

/** The agent definitions this deployment runs (read-only; instructions stay out of the list). */
export async function listAgentDefinitions(): Promise<AgentDefinitionDto[]> {
  await authorize("agents:read");
  return defaultRuntimeParts().chains.flatMap((chain) =>
    chain.agents.map((a) => ({
      chain: chain.name,
      pattern: chain.pattern,
      name: a.name,
      version: a.version,
      tier: a.modelTier,
      tools: [...a.tools],
      handoffs: [...a.handoffs],
    })),
  );
}
