import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Inbox" };

export default async function Page() {
  await authorizePage("inbox:read");
  return (
    <>
      <PageHeader title="Inbox" description="Conversations the agents handed to a person, by priority and SLA due time. Claim one to reply, approve a pending tool call, hand it back or resolve it." />
      <EmptyState title="Nothing waiting for a person">
        Escalations land here when retries are exhausted, a budget runs out, confidence is low, a refund needs approval, the customer asks for a person or a handoff loop is stopped.
      </EmptyState>
    </>
  );
}
