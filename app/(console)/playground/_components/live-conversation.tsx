"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { StatusBadge } from "@/components/ui/status-badge";
import { liveConversationOptions, type LiveMessageDto } from "@/lib/query/conversations";
import { ReplyForm } from "./reply-form";
import { StepList } from "./step-list";

/** A playground conversation as it happens: polls while the agents work, stops when they settle. */
export function LiveConversation({ conversationId }: { conversationId: string }) {
  const { data, error, isPending, isFetching, refetch } = useQuery(liveConversationOptions(conversationId));

  if (isPending) {
    return (
      <p role="status" className="text-sm text-slate-500">
        Loading the conversation…
      </p>
    );
  }
  if (error && !data) {
    return (
      <div role="alert" className="rounded-xl border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
        <p className="font-medium">The live view could not load.</p>
        <p className="mt-1">{error.message}</p>
        <div className="mt-2 flex gap-3">
          <button
            type="button"
            onClick={() => void refetch()}
            className="rounded-md border border-rose-300 bg-white px-2 py-1 text-xs hover:bg-rose-100"
          >
            Try again
          </button>
          <Link href="/playground" className="text-xs text-indigo-700 underline">
            Start a new conversation
          </Link>
        </div>
      </div>
    );
  }

  const running = data.status === "running";
  return (
    <div className="grid gap-6 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <section aria-labelledby="pg-transcript-heading">
        <div className="mb-3 flex flex-wrap items-center gap-3">
          <h2 id="pg-transcript-heading" className="text-lg font-semibold">
            Transcript
          </h2>
          <StatusBadge status={data.status} />
          <span className="font-mono text-xs text-slate-500">chain {data.chain}</span>
        </div>
        <Messages messages={data.messages} />
        <div className="mt-4 space-y-3">
          <p role="status" aria-live="polite" className="text-xs text-slate-500">
            {running
              ? "The agents are working; steps appear as each one is committed."
              : `Run settled · ${data.steps.length} steps.`}
            {error ? " Updates paused: the last refresh failed." : ""}
          </p>
          {data.canReply ? <ReplyForm conversationId={data.id} /> : null}
          {!running && !data.canReply && data.status === "escalated" ? (
            <p className="text-sm text-slate-600">
              The conversation was handed to a person; a support lead continues it from the inbox.
            </p>
          ) : null}
          <Link href={`/conversations/${data.id}`} className="inline-block text-sm text-indigo-700 underline">
            Open the full conversation record
          </Link>
        </div>
      </section>
      <section aria-labelledby="pg-steps-heading" aria-busy={running || isFetching}>
        <h2 id="pg-steps-heading" className="mb-3 text-lg font-semibold">
          Steps
        </h2>
        <StepList runs={data.runs} steps={data.steps} />
      </section>
    </div>
  );
}

const roleStyles: Record<LiveMessageDto["role"], { label: string; box: string; tag: string }> = {
  customer: { label: "Customer", box: "border-slate-200 bg-white", tag: "bg-slate-100 text-slate-700" },
  agent: { label: "Agent", box: "border-indigo-100 bg-indigo-50/50", tag: "bg-indigo-100 text-indigo-800" },
  human: { label: "Support", box: "border-teal-100 bg-teal-50/60", tag: "bg-teal-100 text-teal-800" },
};

/** Customer and model text is untrusted: only ever rendered as React text nodes. */
function Messages({ messages }: { messages: LiveMessageDto[] }) {
  if (messages.length === 0) return <p className="text-sm text-slate-500">No messages yet.</p>;
  return (
    <ol className="space-y-3" data-testid="playground-transcript">
      {messages.map((m) => {
        const style = roleStyles[m.role];
        return (
          <li key={m.id} className={`rounded-lg border px-4 py-3 ${style.box}`}>
            <div className="mb-1 flex flex-wrap items-center gap-2 text-xs text-slate-500">
              <span className={`rounded px-1.5 py-0.5 font-medium ${style.tag}`}>{style.label}</span>
              {m.author ? <span className="font-medium text-slate-800">{m.author}</span> : null}
              <time dateTime={m.createdAt}>{m.createdAt.slice(11, 19)} UTC</time>
            </div>
            <p className="text-sm break-words whitespace-pre-wrap text-slate-900">{m.content}</p>
          </li>
        );
      })}
    </ol>
  );
}
