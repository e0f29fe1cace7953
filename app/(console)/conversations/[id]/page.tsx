import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { StatusBadge } from "@/components/ui/status-badge";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { authorizePage } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { DETAIL_MAX_RUNS, getConversationDetail } from "@/lib/dal/conversations";
import { formatUtc, prettyJson } from "@/lib/format";
import { RunTimeline } from "../_components/run-timeline";
import { ReplyAsCustomerForm } from "../_components/test-message-form";
import { Transcript } from "../_components/transcript";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Conversation" };

const paramsSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/) });

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await authorizePage("conversations:read");
  const parsed = paramsSchema.safeParse(await params);
  if (!parsed.success) notFound();
  const conversation = await getConversationDetail(parsed.data.id);
  if (!conversation) notFound();

  // "Turn n" only when every run is shown; otherwise numbering would be off.
  const turnLabels = new Map(
    conversation.runs.map((r, i) => [r.id, conversation.runsTruncated ? `Recent run ${i + 1}` : `Turn ${i + 1}`]),
  );
  const now = Date.now();
  return (
    <>
      <Link href="/conversations" className="mb-3 inline-block text-sm text-indigo-700 underline">
        ← All conversations
      </Link>
      <PageHeader title="Conversation" />
      <div className="-mt-4 mb-6 rounded-xl border border-slate-200 bg-white px-4 py-3">
        <div className="mb-3 flex flex-wrap items-center gap-3">
          <span className="font-mono text-sm text-slate-800">{conversation.id}</span>
          <StatusBadge status={conversation.status} />
        </div>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr_max-content_1fr]">
          <dt className="text-slate-500">Chain</dt>
          <dd className="font-mono text-xs leading-5">{conversation.chain}</dd>
          <dt className="text-slate-500">Customer</dt>
          <dd className="break-all">{conversation.customerId ?? <span className="text-slate-400">not given</span>}</dd>
          <dt className="text-slate-500">Started</dt>
          <dd>
            <time dateTime={conversation.createdAt}>{formatUtc(conversation.createdAt)}</time>
          </dd>
          <dt className="text-slate-500">Updated</dt>
          <dd>
            <RelativeTime iso={conversation.updatedAt} now={now} />
          </dd>
          <dt className="text-slate-500">Trace ids</dt>
          <dd className="col-span-1 sm:col-span-3">
            {conversation.runs.length === 0 ? (
              <span className="text-slate-400">no runs yet</span>
            ) : (
              <ul className="flex flex-wrap gap-x-4 gap-y-0.5 font-mono text-xs leading-5">
                {conversation.runs.map((r) => (
                  <li key={r.id}>
                    <a href={`#${r.id}`} className="text-indigo-700 underline" title={`${turnLabels.get(r.id)}: ${r.id}`}>
                      {r.traceId}
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer text-slate-500">Metadata</summary>
          <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-800">
            {prettyJson(conversation.metadata)}
          </pre>
        </details>
      </div>

      <div className="grid gap-6 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <section aria-labelledby="transcript-heading">
          <h2 id="transcript-heading" className="mb-3 text-lg font-semibold">
            Transcript
          </h2>
          <Transcript
            messages={conversation.messages}
            truncated={conversation.messagesTruncated}
            turnLabels={turnLabels}
          />
          <div className="mt-4 space-y-3">
            <AutoRefresh active={conversation.status === "running"} />
            {conversation.startedFromConsole &&
            can(actor.role, "playground:use") &&
            (conversation.status === "waiting_for_customer" || conversation.status === "resolved") ? (
              <ReplyAsCustomerForm conversationId={conversation.id} />
            ) : null}
          </div>
        </section>
        <section aria-labelledby="runs-heading">
          <h2 id="runs-heading" className="mb-3 text-lg font-semibold">
            Runs and events
          </h2>
          {conversation.runsTruncated ? (
            <p className="mb-3 text-sm text-amber-800">
              Showing the latest {DETAIL_MAX_RUNS} runs; earlier runs are not shown.
            </p>
          ) : null}
          {conversation.runs.length === 0 ? (
            <p className="text-sm text-slate-500">No agent runs recorded for this conversation yet.</p>
          ) : (
            <div className="space-y-4">
              {conversation.runs.map((run) => (
                <RunTimeline key={run.id} run={run} label={turnLabels.get(run.id) ?? "Run"} />
              ))}
            </div>
          )}
        </section>
      </div>
    </>
  );
}
