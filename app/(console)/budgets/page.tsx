import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Budgets" };

export default async function Page() {
  await authorizePage("budgets:read");
  return (
    <>
      <PageHeader title="Budgets" description="Spend against budgets per conversation, agent, API key and day, with daily cost trends, cache savings and anomaly alerts." />
      <EmptyState title="No spend recorded yet">
        Once agents run, each LLM call's cost is recorded from its real token counts and shown here against the budgets admins set.
      </EmptyState>
    </>
  );
}
