import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { assertBoundedRange, type TimeRange } from "@/lib/metrics/range";
import { prepareRoutingOverview, type RoutingOverview } from "@/lib/metrics/routing";
import { defaultRuntimeParts } from "@/lib/runs/runtime";
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
 * `routing` and `llm` spans (the (kind, started_at) index bounds every query; the per-run probe
 * uses spans (run_id)). Prices of the top tiers are today's, from the price book.
 */
export async function getRoutingOverview(range: TimeRange): Promise<RoutingOverview & { recent: RecentRoutingDecision[] }> {
  await authorize("agents:read");
  assertBoundedRange(range);
  const from = sql`${iso(range.from)}::timestamptz`;
  const to = sql`${iso(range.to)}::timestamptz`;
  const [decisions, calls, router, recent] = await Promise.all([
    queryRows<Record<string, unknown>>(db(), sql`
      select agent, tier, attributes->>'switchyard.routing.range' as range, count(*) as decisions
      from spans where kind = 'routing' and started_at >= ${from} and started_at < ${to} and agent is not null
      group by 1, 2, 3`),
    queryRows<Record<string, unknown>>(db(), sql`
      select s.agent, s.tier, count(*) as calls, sum(s.input_tokens) as input_tokens,
        sum(s.output_tokens) as output_tokens, sum(coalesce(s.cost_usd, 0)) as cost_usd
      from spans s
      where s.kind = 'llm' and s.started_at >= ${from} and s.started_at < ${to} and s.agent is not null
        and exists (select 1 from spans r where r.run_id = s.run_id and r.kind = 'routing' and r.agent = s.agent)
      group by 1, 2`),
    queryRows<Record<string, unknown>>(db(), sql`
      select count(*) as calls, sum(coalesce(cost_usd, 0)) as cost_usd
      from spans where kind = 'llm' and started_at >= ${from} and started_at < ${to} and agent = ${modelRouterAgent.name}`),
    queryRows<Record<string, unknown>>(db(), sql`
      select agent, tier, attributes->>'switchyard.routing.reason' as reason, started_at, trace_id
      from spans where kind = 'routing' and started_at >= ${from} and started_at < ${to} and agent is not null
      order by started_at desc limit 8`),
  ]);
  const pricing = defaultRuntimeParts().pricing;
  const overview = prepareRoutingOverview(
    decisions.map((r) => ({ agent: String(r.agent), tier: String(r.tier), range: text(r.range), decisions: num(r.decisions) })),
    calls.map((r) => ({
      agent: String(r.agent),
      tier: String(r.tier),
      calls: num(r.calls),
      inputTokens: num(r.input_tokens),
      outputTokens: num(r.output_tokens),
      costUsd: num(r.cost_usd),
    })),
    { calls: num(router[0]?.calls), costUsd: num(router[0]?.cost_usd) },
    (tier) => (pricing ? pricing.priceOf(pricing.modelFor(tier)) : null),
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
