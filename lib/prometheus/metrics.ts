import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { conversationStatusEnum } from "@/db/schema";
import { queryRows } from "@/lib/runs/sql";
import { parseScope } from "@/lib/costs/scopes";
import { type BreakerStatus, breakerStatuses } from "@/lib/runtime/resilience/breaker";
import { runStatuses } from "@/lib/runtime/state";
import { type AgentTotals, getLlmTotals, LATENCY_BUCKETS_S } from "./llm-totals";
import { type MetricFamily, renderMetrics, type Sample } from "./text-format";

/**
 * Everything GET /api/metrics exposes, as aggregate numbers only (no ids, no text): per-agent LLM
 * counters and latency, runs and conversations by status, the run queue, each circuit breaker's
 * state, today's spend against the daily budgets of the install and of each agent (not those of
 * API keys, whose scopes hold key ids), and `switchyard_up`.
 */
export async function collectMetrics(db: Database): Promise<string> {
  const [llm, runs, conversations, queue, breakers, budgets] = await Promise.all([
    getLlmTotals(db),
    countByStatus(db, sql`runs`),
    countByStatus(db, sql`conversations`),
    queueDepth(db),
    breakerStates(db),
    dailyBudgets(db),
  ]);
  return renderMetrics([
    ...llmFamilies(llm),
    {
      name: "switchyard_breaker_state",
      help: "Each circuit breaker's state, one-hot: 1 on the state it is in (closed, open, half_open).",
      type: "gauge",
      samples: breakers.flatMap(({ key, status }) =>
        breakerStatuses.map((state) => ({ labels: { key, state }, value: status === state ? 1 : 0 })),
      ),
    },
    {
      name: "switchyard_budget_daily_spent_usd",
      help: "Spend in US dollars today (UTC) against each daily budget of the install or of an agent.",
      type: "gauge",
      samples: budgets.map((b) => ({ labels: { scope: b.scope }, value: b.spentUsd })),
    },
    {
      name: "switchyard_budget_daily_limit_usd",
      help: "The limit in US dollars of each daily budget of the install or of an agent.",
      type: "gauge",
      samples: budgets.map((b) => ({ labels: { scope: b.scope }, value: b.limitUsd })),
    },
    {
      name: "switchyard_runs",
      help: "Runs (conversation turns) by status.",
      type: "gauge",
      samples: statusSamples(runStatuses, runs),
    },
    {
      name: "switchyard_run_queue_depth",
      help: "Runs waiting for a worker: status running and no live lease.",
      type: "gauge",
      samples: [{ labels: {}, value: queue }],
    },
    {
      name: "switchyard_conversations",
      help: "Conversations by status.",
      type: "gauge",
      samples: statusSamples(conversationStatusEnum.enumValues, conversations),
    },
    { name: "switchyard_up", help: "1 when this process answers and its database does.", type: "gauge", samples: [{ labels: {}, value: 1 }] },
  ]);
}

function llmFamilies(totals: Map<string, AgentTotals>): MetricFamily[] {
  const agents = [...totals.entries()].sort(([a], [b]) => a.localeCompare(b));
  const counter = (name: string, help: string, pick: (t: AgentTotals) => number): MetricFamily => ({
    name,
    help,
    type: "counter",
    samples: agents.map(([agent, t]) => ({ labels: { agent }, value: pick(t) })),
  });
  return [
    counter("switchyard_llm_calls_total", "LLM calls made by each agent.", (t) => t.calls),
    counter("switchyard_llm_errors_total", "LLM calls by each agent that ended in an error.", (t) => t.errors),
    counter("switchyard_llm_input_tokens_total", "Input tokens of each agent's LLM calls.", (t) => t.inputTokens),
    counter("switchyard_llm_output_tokens_total", "Output tokens of each agent's LLM calls.", (t) => t.outputTokens),
    counter("switchyard_llm_cost_usd_total", "Cost in US dollars of each agent's LLM calls, from the price table.", (t) => t.costNanoUsd / 1e9),
    {
      name: "switchyard_llm_latency_seconds",
      help: "Latency of each agent's LLM calls.",
      type: "histogram",
      samples: agents.map(([agent, t]) => ({
        labels: { agent },
        buckets: LATENCY_BUCKETS_S.map((le, i) => ({ le, count: t.buckets[i] ?? 0 })),
        count: t.calls,
        sum: t.latencySumUs / 1e6,
      })),
    },
  ];
}

/** Every known status appears (0 when none), plus any unknown one found in the table. */
function statusSamples(known: readonly string[], counts: Map<string, number>): Sample[] {
  const statuses = [...new Set([...known, ...counts.keys()])];
  return statuses.map((status) => ({ labels: { status }, value: counts.get(status) ?? 0 }));
}

/**
 * A status count over the whole table. conversations has a (status, updated_at) index; runs is
 * counted by a scan, which is fine at a scrape interval for the sizes one Postgres holds, and is
 * the first thing to move to a maintained counter if it ever is not.
 */
async function countByStatus(db: Database, table: ReturnType<typeof sql>): Promise<Map<string, number>> {
  const rows = await queryRows<{ status: string; n: number }>(
    db,
    sql`select status::text as status, count(*)::float8 as n from ${table} group by 1`,
  );
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/** Runs a worker may claim now or after their back-off: on the partial `runs_claimable_idx`. */
async function queueDepth(db: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::float8 as n from runs
      where status = 'running' and (lease_expires_at is null or lease_expires_at < now())`,
  );
  return Number(row?.n ?? 0);
}

/** Every breaker row; a status this release does not know counts as closed, as the store reads it. */
async function breakerStates(db: Database): Promise<{ key: string; status: BreakerStatus }[]> {
  const rows = await queryRows<{ key: string; status: string }>(db, sql`select key, status from breakers order by key`);
  return rows.map((r) => ({ key: r.key, status: breakerStatuses.find((s) => s === r.status) ?? "closed" }));
}

/**
 * The daily budgets of the install and of each agent, with what today's (UTC) LLM calls cost, as
 * the budgets page computes it (lib/dal/budget-overview.ts): the spend gate's own counters exist
 * only from the first gated call of a day on.
 */
async function dailyBudgets(db: Database): Promise<{ scope: string; limitUsd: number; spentUsd: number }[]> {
  const [rows, today] = await Promise.all([
    queryRows<{ scope: string; limit_usd: number }>(db, sql`select scope, limit_usd::float8 as limit_usd from budgets order by scope`),
    queryRows<{ agent: string | null; cost: number }>(
      db,
      sql`select agent, coalesce(sum(cost_usd), 0)::float8 as cost from llm_calls
        where started_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'
        group by agent`,
    ),
  ]);
  const total = today.reduce((sum, r) => sum + Number(r.cost), 0);
  const byAgent = new Map(today.map((r) => [r.agent, Number(r.cost)]));
  return rows.flatMap((row) => {
    const scope = parseScope(row.scope);
    const spentUsd =
      scope?.kind === "daily_global" ? total : scope?.kind === "daily_agent" ? (byAgent.get(scope.target) ?? 0) : null;
    return spentUsd === null ? [] : [{ scope: row.scope, limitUsd: Number(row.limit_usd), spentUsd }];
  });
}
