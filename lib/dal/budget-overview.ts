import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { budgetShare, type DailyCostChart, type DailyCostRow, lastDays, prepareDailyCost } from "@/lib/costs/charts";
import { apiKeyDailyScope, GLOBAL_DAILY_SCOPE, parseScope, type ScopeKind } from "@/lib/costs/scopes";
import { runCostSoFar } from "@/lib/costs/run-cost";
import { utcDay } from "@/lib/costs/spend-gate";
import { costPerResolved } from "@/lib/metrics/definitions";
import { queryRows } from "@/lib/runs/sql";

export interface BudgetRowDto {
  scope: string;
  kind: ScopeKind;
  target: string | null;
  limitUsd: number;
  /** Today's spend for a daily budget; the most expensive conversation of the last 24 h otherwise. */
  spentUsd: number;
  share: number;
  updatedAt: string;
}

export interface BudgetOverviewDto {
  budgets: BudgetRowDto[];
  byAgent: DailyCostChart;
  byModel: DailyCostChart;
  todayUsd: number;
  costPerResolvedUsd: number | null;
  resolvedRuns: number;
  /** Response cache over the chart's days: lookups of caching agents, hits, money saved. */
  cache: { lookups: number; hits: number; hitRate: number | null; savedUsd: number };
}

const CHART_DAYS = 14;
const API_KEY_PREFIX = apiKeyDailyScope("");

/** Everything the budgets page shows, in a handful of indexed aggregate queries. */
export async function getBudgetOverview(): Promise<BudgetOverviewDto> {
  await authorize("budgets:read");
  const today = utcDay(Date.now());
  const days = lastDays(today, CHART_DAYS);
  const since = sql`${`${days[0]}T00:00:00Z`}::timestamptz`;
  const [budgetRows, daily, resolved, cacheRows] = await Promise.all([
    queryRows<{ scope: string; limit_usd: number; updated_at: Date | string }>(
      db(),
      sql`select scope, limit_usd, updated_at from budgets order by scope`,
    ),
    queryRows<{ day: string; agent: string | null; model: string | null; cost: number }>(
      db(),
      sql`select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD') as day, agent, model,
          coalesce(sum(cost_usd), 0)::float8 as cost
        from llm_calls where started_at >= ${since}
        group by 1, 2, 3`,
    ),
    queryRows<{ cost: number; completed: number }>(
      db(),
      sql`select coalesce(sum(${runCostSoFar}), 0)::float8 as cost, count(*) filter (where r.status = 'completed')::int as completed
        from runs r where r.created_at >= ${since}`,
    ),
    queryRows<{ lookups: number; hits: number; saved: number }>(
      db(),
      sql`select coalesce(sum(lookups), 0)::int as lookups, coalesce(sum(hits), 0)::int as hits,
          coalesce(sum(saved_usd), 0)::float8 as saved
        from response_cache_stats where day >= ${days[0]}::date`,
    ),
  ]);
  const rowsBy = (pick: (r: (typeof daily)[number]) => string | null): DailyCostRow[] =>
    daily.map((r) => ({ day: r.day, key: pick(r) ?? "unknown", costUsd: Number(r.cost) }));
  const todayRows = daily.filter((r) => r.day === today);
  const todayUsd = todayRows.reduce((sum, r) => sum + Number(r.cost), 0);
  const globalLimit = budgetRows.find((b) => b.scope === GLOBAL_DAILY_SCOPE)?.limit_usd ?? null;
  const parsed = budgetRows.flatMap((b) => {
    const scope = parseScope(b.scope);
    return scope ? [{ ...b, ...scope }] : [];
  });
  const spendOf = await budgetSpend(parsed, todayRows, today);
  const budgets = parsed.map((b): BudgetRowDto => {
    const spentUsd = spendOf(b.kind, b.target);
    return {
      scope: b.scope,
      kind: b.kind,
      target: b.target,
      limitUsd: b.limit_usd,
      spentUsd,
      share: budgetShare(spentUsd, b.limit_usd),
      updatedAt: new Date(b.updated_at).toISOString(),
    };
  });
  const [totals] = resolved;
  const cache = { lookups: Number(cacheRows[0]?.lookups ?? 0), hits: Number(cacheRows[0]?.hits ?? 0), savedUsd: Number(cacheRows[0]?.saved ?? 0) };
  return {
    budgets,
    byAgent: prepareDailyCost(rowsBy((r) => r.agent), days, globalLimit),
    byModel: prepareDailyCost(rowsBy((r) => r.model), days, globalLimit),
    todayUsd,
    costPerResolvedUsd: costPerResolved(Number(totals?.cost ?? 0), totals?.completed ?? 0),
    resolvedRuns: totals?.completed ?? 0,
    cache: { ...cache, hitRate: cache.lookups > 0 ? cache.hits / cache.lookups : null },
  };
}

/**
 * What each budget has spent, from at most two more statements whatever the number of budgets:
 * one for every API-key budget (today's spend per key) and one for every conversation budget
 * (the most expensive conversation of the last 24 h per chain). Daily global and agent budgets
 * come from the chart's rows, which already hold today's spend per agent.
 */
async function budgetSpend(
  budgets: readonly { kind: ScopeKind }[],
  todayRows: readonly { agent: string | null; cost: number }[],
  today: string,
): Promise<(kind: ScopeKind, target: string | null) => number> {
  const has = (...kinds: ScopeKind[]) => budgets.some((b) => kinds.includes(b.kind));
  const [perKey, perChain] = await Promise.all([
    has("daily_api_key")
      ? queryRows<{ api_key_id: string; cost: number }>(
          db(),
          // Only the keys that have a budget: the subquery keeps the statement's text fixed.
          sql`select c.api_key_id, coalesce(sum(s.cost_usd), 0)::float8 as cost from llm_calls s
            join runs r on r.id = s.run_id join conversations c on c.id = r.conversation_id
            where s.started_at >= ${`${today}T00:00:00Z`}::timestamptz
              and c.api_key_id in (select substr(scope, ${API_KEY_PREFIX.length + 1}::int) from budgets
                where left(scope, ${API_KEY_PREFIX.length}::int) = ${API_KEY_PREFIX})
            group by c.api_key_id`,
        )
      : [],
    has("conversation_default", "conversation_chain")
      ? queryRows<{ chain: string; cost: number }>(
          db(),
          sql`select chain, coalesce(max(total), 0)::float8 as cost from (
            select c.chain, sum(${runCostSoFar}) as total from runs r join conversations c on c.id = r.conversation_id
            where c.created_at >= now() - interval '24 hours'
            group by c.id, c.chain) t
          group by chain`,
        )
      : [],
  ]);
  const keyCost = new Map(perKey.map((r) => [r.api_key_id, Number(r.cost)]));
  const chainCost = new Map(perChain.map((r) => [r.chain, Number(r.cost)]));
  const sum = (rows: readonly { cost: number }[]) => rows.reduce((s, r) => s + Number(r.cost), 0);
  return (kind, target) => {
    switch (kind) {
      case "daily_global":
        return sum(todayRows);
      case "daily_agent":
        return sum(todayRows.filter((r) => r.agent === target));
      case "daily_api_key":
        return keyCost.get(target ?? "") ?? 0;
      case "conversation_default":
        return Math.max(0, ...chainCost.values());
      case "conversation_chain":
        return chainCost.get(target ?? "") ?? 0;
    }
  };
}
