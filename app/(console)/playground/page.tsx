import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { listChainNames } from "@/lib/dal/test-conversations";
import { getEnv } from "@/lib/env";
import { LiveConversation } from "./_components/live-conversation";
import { StartForm } from "./_components/start-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Playground" };

const searchSchema = z.object({
  c: z
    .string()
    .regex(/^cnv_[0-9a-z]{26}$/)
    .optional()
    .catch(undefined),
});

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await authorizePage("playground:use");
  const { c: conversationId } = searchSchema.parse(await searchParams);
  const simulated = getEnv().SWITCHYARD_PROVIDER === "sim";
  return (
    <>
      <PageHeader
        title="Playground"
        description="Chat as a customer with the live agent team and watch each step of the run as it happens."
        actions={
          conversationId ? (
            <Link
              href="/playground"
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium whitespace-nowrap hover:bg-slate-50"
            >
              New conversation
            </Link>
          ) : null
        }
      />
      {simulated ? (
        <p className="-mt-3 mb-5 max-w-3xl rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <span className="font-semibold">Simulator:</span> the agents run on the built-in model simulator
          (models named <code className="font-mono text-xs">simulator/…</code>), which answers with
          deterministic rules, not a language model.
        </p>
      ) : null}
      {conversationId ? (
        <LiveConversation key={conversationId} conversationId={conversationId} />
      ) : (
        <div className="grid gap-6 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <div className="rounded-xl border border-slate-200 bg-white p-4">
            <StartForm chains={listChainNames()} />
          </div>
          <EmptyState title="No run yet">
            Send a message as the customer and each step appears here as the worker commits it: the
            triage agent&apos;s handoff, the specialist&apos;s tool calls, the model calls with their tokens and
            latency, and the reply. The conversation is recorded like any other and stays under
            Conversations.
          </EmptyState>
        </div>
      )}
    </>
  );
}
