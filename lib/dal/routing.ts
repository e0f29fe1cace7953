import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { readTierPrices } from "@/lib/costs/price-book";
import { getEnv } from "@/lib/env";
import { assertBoundedRange, type TimeRange } from "@/lib/metrics/range";
import { prepareRoutingOverview, type RoutingOverview } from "@/lib/metrics/routing";
import { tierModels } from "@/lib/providers";
import { queryRows } from "@/lib/runs/sql";
import { modelRouterAgent } from "@/lib/runtime";

/** One recent routing decision, for the list under the table. */
export interface RecentRoutingDecision {
  agent: string;
  tier: string;
  reason: string;
  at: string;
  traceId: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const text = (v: unknown) => (typeof v === "string" ? v : "");

/**
 * Model routing on /agents: decisions per tier and their cost effect in a window, from the
 * `routing` spans and the LLM calls (the spans' (kind, started_at) index and the calls' BRIN
 * index on their start bound every query; the per-run probe uses the spans' primary key through
 * trace_id). Prices of the top tiers are the ones in force now, from the price table.
 */
export async function getRoutingOverview(range: TimeRange): Promise<RoutingOverview & { recent: RecentRoutingDecision[] }> {
  await authorize("agents:read");
  assertBoundedRange(range);
  const from = sql`${iso(range.from)}::timestamptz`;
  const to = sql`${iso(range.to)}::timestamptz`;
  const [decisions, calls, router, recent] = await Promise.all([
    queryRows<Record<string, unknown>>(db(), sql`
      select agent, tier, attributes->>'switchyard.routing.range' as range, count(*) as decisions,
        max(started_at) as latest_at
      from spans where kind = 'routing' and started_at >= ${from} and started_at < ${to} and agent is not null
      group by 1, 2, 3`),
    queryRows<Record<string, unknown>>(db(), sql`
      select s.agent, s.tier, count(*) as calls, sum(s.input_tokens) as input_tokens,
        sum(coalesce(s.cached_input_tokens, 0)) as cached_input_tokens,
        sum(s.output_tokens) as output_tokens, sum(coalesce(s.cost_usd, 0)) as cost_usd
      from llm_calls s
      where s.started_at >= ${from} and s.started_at < ${to} and s.agent is not null
        and exists (select 1 from spans r where r.trace_id = s.trace_id and r.kind = 'routing' and r.agent = s.agent)
      group by 1, 2`),
    queryRows<Record<string, unknown>>(db(), sql`
      select count(*) as calls, sum(coalesce(cost_usd, 0)) as cost_usd
      from llm_calls where started_at >= ${from} and started_at < ${to} and agent = ${modelRouterAgent.name}`),
    queryRows<Record<string, unknown>>(db(), sql`
      select agent, tier, attributes->>'switchyard.routing.reason' as reason, started_at, trace_id
      from spans where kind = 'routing' and started_at >= ${from} and started_at < ${to} and agent is not null
      order by started_at desc limit 8`),
  ]);
  // Read here, not from the runtime's price book: building the runtime in a page render would
  // start its pollers, LISTEN connection and timers in a console process.
  const prices = await readTierPrices(db(), tierModels(getEnv()));
  const overview = prepareRoutingOverview(
    decisions.map((r) => ({
      agent: String(r.agent),
      tier: String(r.tier),
      range: text(r.range),
      decisions: num(r.decisions),
      latestAt: new Date(r.latest_at as string | Date).getTime(),
    })),
    calls.map((r) => ({
      agent: String(r.agent),
      tier: String(r.tier),
      calls: num(r.calls),
      inputTokens: num(r.input_tokens),
      cachedInputTokens: num(r.cached_input_tokens),
      outputTokens: num(r.output_tokens),
      costUsd: num(r.cost_usd),
    })),
    { calls: num(router[0]?.calls), costUsd: num(router[0]?.cost_usd) },
    (tier) => prices[tier],
  );
  return {
    ...overview,
    recent: recent.map((r) => ({
      agent: String(r.agent),
      tier: String(r.tier),
      reason: text(r.reason),
      at: new Date(r.started_at as string | Date).toISOString(),
      traceId: String(r.trace_id),
    })),
  };
}
