import type { Metadata } from "next";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import {
  agentDailyScope,
  apiKeyDailyScope,
  chainBudgetScope,
  DEFAULT_CONVERSATION_SCOPE,
  describeScope,
  GLOBAL_DAILY_SCOPE,
} from "@/lib/costs/scopes";
import { listAnomalyAlerts } from "@/lib/dal/alerts";
import { getBudgetOverview } from "@/lib/dal/budget-overview";
import { type BudgetTargetsDto, listBudgetTargets } from "@/lib/dal/budgets";
import { listPrices } from "@/lib/dal/prices";
import { formatCount, formatPercent, formatUsd } from "@/lib/metrics/format";
import { AddBudgetForm } from "./_components/add-budget-form";
import { AnomalyAlerts } from "./_components/anomaly-alerts";
import { BudgetBar } from "./_components/budget-bar";
import { BudgetEditForm } from "./_components/budget-edit-form";
import { DailyCostChart } from "./_components/daily-cost-chart";
import { PriceForm } from "./_components/price-form";
import { PriceTable } from "./_components/price-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Budgets" };

export default async function Page() {
  const actor = await authorizePage("budgets:read");
  const canEdit = can(actor.role, "budgets:write");
  const [overview, prices, targets, alerts] = await Promise.all([
    getBudgetOverview(),
    listPrices(),
    listBudgetTargets(),
    listAnomalyAlerts(),
  ]);
  const keyNames = Object.fromEntries(targets.apiKeys.map((k) => [k.id, k.name]));
  return (
    <>
      <PageHeader
        title="Budgets"
        description="Spend against each budget, daily cost by agent and model, and the price table every LLM call is charged at. At 80% of its budget a conversation moves to a cheaper model tier; at 100% it answers with its best result or goes to a person. A daily limit pauses non-critical agents."
      />
      <section aria-label="Spend at a glance" className="mb-8 grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat id="today" label="Spent today (UTC)" value={formatUsd(overview.todayUsd)} />
        <Stat id="cost-per-resolved" label="Cost per resolved conversation (14 days)" value={formatUsd(overview.costPerResolvedUsd)} detail={`${formatCount(overview.resolvedRuns)} resolved turns`} />
        <Stat id="budgets" label="Budgets set" value={formatCount(overview.budgets.length)} />
        <Stat
          id="cache"
          label="Response cache hit rate (14 days)"
          value={formatPercent(overview.cache.hitRate)}
          detail={`${formatCount(overview.cache.hits)} of ${formatCount(overview.cache.lookups)} lookups · ${formatUsd(overview.cache.savedUsd)} saved`}
        />
      </section>

      <AnomalyAlerts alerts={alerts} canAcknowledge={canEdit} />

      <section aria-labelledby="budgets-heading" className="mb-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <h2 id="budgets-heading" className="mb-3 text-base font-semibold">Spend against budgets</h2>
        {overview.budgets.length === 0 ? <p className="text-sm text-slate-600">No budgets yet: spend is recorded but not limited.</p> : null}
        <ul className="divide-y divide-slate-100">
          {overview.budgets.map((b) => {
            const label = describeScope(b.scope, keyNames);
            return (
              <li key={b.scope} data-testid={`budget-${b.scope}`} className="grid items-center gap-3 py-3 md:grid-cols-[16rem_1fr_auto]">
                <div>
                  <p className="text-sm font-medium">{label}</p>
                  <p className="text-xs text-slate-500">{b.kind.startsWith("daily") ? "today" : "most expensive conversation, last 24 h"}</p>
                </div>
                <BudgetBar label={label} spentUsd={b.spentUsd} limitUsd={b.limitUsd} share={b.share} />
                {canEdit ? <BudgetEditForm scope={b.scope} label={label} limitUsd={b.limitUsd} /> : <span className="text-sm tabular-nums">{formatUsd(b.limitUsd)}</span>}
              </li>
            );
          })}
        </ul>
        {canEdit ? (
          <div className="mt-4 border-t border-slate-100 pt-4">
            <AddBudgetForm options={scopeOptions(targets, keyNames)} />
          </div>
        ) : null}
      </section>

      <section aria-labelledby="trends-heading" className="mb-8 grid gap-4 xl:grid-cols-2">
        <h2 id="trends-heading" className="sr-only">Daily cost</h2>
        <ChartCard title="Daily cost by agent" empty={!overview.byAgent.hasData}>
          <DailyCostChart id="cost-by-agent" title="Daily cost by agent" chart={overview.byAgent} />
        </ChartCard>
        <ChartCard title="Daily cost by model" empty={!overview.byModel.hasData}>
          <DailyCostChart id="cost-by-model" title="Daily cost by model" chart={overview.byModel} />
        </ChartCard>
      </section>

      <section aria-labelledby="prices-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <h2 id="prices-heading" className="mb-1 text-base font-semibold">Prices</h2>
        <p className="mb-3 text-sm text-slate-600">A change adds a version in force from now; calls already made keep the price they were charged.</p>
        <PriceTable prices={prices} />
        {canEdit ? (
          <div className="mt-4 border-t border-slate-100 pt-4">
            <PriceForm models={[...new Set(prices.map((p) => p.model))]} />
          </div>
        ) : null}
      </section>
    </>
  );
}

function scopeOptions(targets: BudgetTargetsDto, keyNames: Record<string, string>) {
  const scopes = [
    DEFAULT_CONVERSATION_SCOPE,
    ...targets.chains.map(chainBudgetScope),
    GLOBAL_DAILY_SCOPE,
    ...targets.agents.map((a) => agentDailyScope(a.name)),
    ...targets.apiKeys.map((k) => apiKeyDailyScope(k.id)),
  ];
  const critical = new Set(targets.agents.filter((a) => a.critical).map((a) => agentDailyScope(a.name)));
  return scopes.map((scope) => ({
    scope,
    label: `${describeScope(scope, keyNames)}${critical.has(scope) ? " (critical: never paused)" : ""}`,
  }));
}

function Stat({ id, label, value, detail }: { id: string; label: string; value: string; detail?: string }) {
  return (
    <div data-testid={`stat-${id}`} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h3 className="text-sm font-medium text-slate-600">{label}</h3>
      <p className="mt-1 text-2xl font-semibold tracking-tight tabular-nums">{value}</p>
      {detail ? <p className="text-xs text-slate-500">{detail}</p> : null}
    </div>
  );
}

function ChartCard({ title, empty, children }: { title: string; empty: boolean; children: ReactNode }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h3 className="mb-2 text-sm font-medium text-slate-600">{title}, last 14 days (UTC)</h3>
      {empty ? <p className="flex h-60 items-center justify-center text-sm text-slate-400">No LLM calls in the last 14 days.</p> : children}
    </div>
  );
}
