import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Rollouts" };

export default async function Page() {
  await authorizePage("rollouts:read");
  return (
    <>
      <PageHeader title="Rollouts" description="Canary rollouts of new agent versions by traffic split, with the guard's decisions and per-version comparisons." />
      <EmptyState title="No rollouts yet">
        When an agent has a new version, an admin starts a canary here (for example 10% → 50% → 100%), and the guard promotes or rolls it back on eval score, errors, escalations, breaker trips and cost.
      </EmptyState>
    </>
  );
}
