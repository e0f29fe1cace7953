import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { conversationStatusEnum } from "@/db/schema";
import { queryRows } from "@/lib/runs/sql";
import { runStatuses } from "@/lib/runtime/state";
import { type AgentTotals, getLlmTotals, LATENCY_BUCKETS_S } from "./llm-totals";
import { type MetricFamily, renderMetrics, type Sample } from "./text-format";

/**
 * Everything GET /api/metrics exposes, as aggregate numbers only (no ids, no text): per-agent LLM
 * counters and latency, runs and conversations by status, the run queue, and `switchyard_up`.
 * Circuit breakers and budget spend are not exposed because they do not exist yet.
 */
export async function collectMetrics(db: Database): Promise<string> {
  const [llm, runs, conversations, queue] = await Promise.all([
    getLlmTotals(db),
    countByStatus(db, sql`runs`),
    countByStatus(db, sql`conversations`),
    queueDepth(db),
  ]);
  return renderMetrics([
    ...llmFamilies(llm),
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
