import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { rangePresetSchema } from "@/lib/metrics/range";
import { AgentDefinitions } from "./_components/agent-definitions";
import { AgentMetricsSection, AgentMetricsSkeleton } from "./_components/agent-metrics-section";
import { RangePicker } from "./_components/range-picker";
import { RoutingSection } from "./_components/routing-section";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Agents" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AgentsPage({ searchParams }: { searchParams: SearchParams }) {
  await authorizePage("agents:read");
  const preset = rangePresetSchema.parse((await searchParams).range);
  const now = Date.now();
  return (
    <>
      <PageHeader
        title="Agents"
        description="Per agent and version: LLM latency percentiles, tokens and cost, success, retry, fallback and escalation rates, handoff accuracy and cost per resolved conversation; the model router's decisions and their cost effect."
        actions={<RangePicker current={preset} />}
      />
      <Suspense key={preset} fallback={<AgentMetricsSkeleton />}>
        <AgentMetricsSection preset={preset} now={now} />
      </Suspense>
      <Suspense key={`routing-${preset}`} fallback={<div className="mt-10 h-40 animate-pulse rounded-xl bg-slate-100" />}>
        <RoutingSection preset={preset} now={now} />
      </Suspense>
      <Suspense fallback={<div className="mt-10 h-40 animate-pulse rounded-xl bg-slate-100" />}>
        <AgentDefinitions />
      </Suspense>
    </>
  );
}
