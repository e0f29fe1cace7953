import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Evaluations" };

export default async function Page() {
  await authorizePage("evaluations:read");
  return (
    <>
      <PageHeader title="Evaluations" description="Scores from deterministic checks and LLM-as-judge on a sample of finished conversations, per agent version." />
      <EmptyState title="No evaluations yet">
        At least 5% of finished conversations are scored off the live path; score trends and the lowest-scoring conversations will be listed here.
      </EmptyState>
    </>
  );
}
