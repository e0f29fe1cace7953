import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { RelativeTime } from "@/components/ui/relative-time";
import { StatusBadge } from "@/components/ui/status-badge";
import { authorizePage } from "@/lib/auth/authorize";
import { getEscalationView } from "@/lib/dal/escalations";
import { reasonPolicy } from "@/lib/escalations/policy";
import { Transcript } from "../../conversations/_components/transcript";
import { EscalationActions } from "../_components/escalation-actions";
import { PriorityBadge } from "../_components/priority-badge";
import { RunSummary } from "../_components/run-summary";
import { SlaCountdown } from "../_components/sla-countdown";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Escalation" };

const statusText = {
  open: "Unclaimed",
  claimed: "Claimed",
  resolved: "Resolved",
  handed_back: "Back with the agents",
};

export default async function EscalationPage({ params }: { params: Promise<{ id: string }> }) {
  await authorizePage("inbox:read");
  const view = await getEscalationView((await params).id);
  if (!view) notFound();
  const active = view.status === "open" || view.status === "claimed";
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/inbox" className="text-indigo-700 underline">
          ← Inbox
        </Link>
      </p>
      <header className="mb-6 space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">
            {reasonPolicy(view.reason).label}
          </h1>
          <PriorityBadge priority={view.priority} />
          {active ? <SlaCountdown dueAt={view.slaDueAt} /> : null}
          <StatusBadge status={view.conversationStatus} />
        </div>
        {view.detail ? (
          <p className="max-w-3xl text-sm break-words text-slate-700">{view.detail}</p>
        ) : null}
        <p className="text-xs text-slate-500">
          {statusText[view.status]}
          {view.claimedBy && view.status === "claimed" ? ` by ${view.claimedBy}` : ""}
          {view.resolvedBy ? ` by ${view.resolvedBy}` : ""} · escalated{" "}
          <RelativeTime iso={view.createdAt} /> · conversation{" "}
          <Link
            href={`/conversations/${view.conversationId}`}
            className="font-mono text-indigo-700 underline"
          >
            {view.conversationId}
          </Link>
          {view.customerId ? ` · customer ${view.customerId}` : ""}
          {view.agent ? ` · agent ${view.agent}` : ""}
        </p>
        <AutoRefresh active={view.conversationStatus === "running"} />
      </header>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <section aria-label="Transcript">
          <h2 className="mb-3 text-sm font-semibold text-slate-700 uppercase">Transcript</h2>
          <Transcript
            messages={view.messages}
            truncated={view.messagesTruncated}
            turnLabels={new Map()}
          />
        </section>
        <div className="space-y-6">
          <section aria-label="Actions" className="rounded-xl border border-slate-200 bg-white p-4">
            <h2 className="mb-3 text-sm font-semibold text-slate-700 uppercase">Actions</h2>
            <EscalationActions view={view} />
          </section>
          <section
            aria-label="What the agents did"
            className="rounded-xl border border-slate-200 bg-white p-4"
          >
            <h2 className="mb-3 text-sm font-semibold text-slate-700 uppercase">
              What the agents did
            </h2>
            <RunSummary summary={view.summary} spend={view.spend} />
          </section>
        </div>
      </div>
    </>
  );
}
