import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Sparkline } from "@/components/charts/sparkline";
import { navItems } from "@/components/shell/nav-items";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { type Actor, authorizePage } from "@/lib/auth/authorize";
import { can, roleLabels } from "@/lib/auth/permissions";
import { getOverviewMetrics } from "@/lib/dal/metrics";
import { hasTraffic, prepareHeadlines } from "@/lib/metrics/overview";
import { AnomalyBanner } from "./_components/anomaly-banner";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await authorizePage("overview:read");
  const areas = navItems.filter((i) => i.href !== "/" && can(actor.role, i.permission));
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Welcome, ${actor.name}. You are signed in as ${roleLabels[actor.role].toLowerCase()}.`}
      />
      {can(actor.role, "budgets:read") ? (
        <Suspense fallback={null}>
          <AnomalyBanner />
        </Suspense>
      ) : null}
      <Suspense fallback={<HeadlinesSkeleton />}>
        <Headlines actor={actor} />
      </Suspense>
      <section className="mt-8">
        <h2 className="mb-3 text-sm font-medium text-slate-500">Your areas</h2>
        <ul className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-4">
          {areas.map((a) => (
            <li key={a.href}>
              <Link
                href={a.href}
                className="block rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm font-medium shadow-sm hover:border-indigo-300"
              >
                {a.label}
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

async function Headlines({ actor }: { actor: Actor }) {
  const metrics = await getOverviewMetrics();
  if (!hasTraffic(metrics)) {
    return (
      <EmptyState title="No traffic in the last 24 hours">
        The headline numbers of the last day (conversations, resolution and escalation rates, latency, spend
        and errors) appear here with hourly sparklines once agents are running.
      </EmptyState>
    );
  }
  const headlines = prepareHeadlines(metrics, (p) => can(actor.role, p));
  return (
    <section aria-labelledby="last-24h">
      <h2 id="last-24h" className="mb-3 text-sm font-medium text-slate-500">Last 24 hours</h2>
      <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
        {headlines.map((h) => (
          <li key={h.id} data-testid={`headline-${h.id}`} className="flex flex-col rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <div className="flex items-baseline justify-between gap-2">
              <h3 className="text-sm font-medium text-slate-600">{h.label}</h3>
              {h.link ? (
                <Link href={h.link.href} className="text-xs font-medium text-indigo-600 hover:underline">
                  {h.link.label} →
                </Link>
              ) : null}
            </div>
            <p className="mt-1 text-2xl font-semibold tracking-tight tabular-nums">{h.value}</p>
            <p className="text-xs text-slate-500">{h.detail}</p>
            <div className="mt-auto pt-2">
              {h.sparkline.hasData ? (
                <Sparkline data={h.sparkline} label={h.label} />
              ) : (
                <p className="flex h-10 items-center text-xs text-slate-400">no data</p>
              )}
            </div>
          </li>
        ))}
      </ul>
      <p className="mt-2 text-xs text-slate-500">
        A turn is one run of the agents; it is resolved when the run completed without a person. Gaps in a sparkline are
        hours with no data.
      </p>
    </section>
  );
}

function HeadlinesSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the last 24 hours" className="grid animate-pulse gap-4 sm:grid-cols-2 xl:grid-cols-3">
      {[0, 1, 2, 3, 4, 5].map((i) => (
        <div key={i} className="h-36 rounded-xl bg-slate-100" />
      ))}
    </div>
  );
}
