import type { Metadata } from "next";
import Link from "next/link";
import { CursorPagination } from "@/components/ui/cursor-pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { conversationStatusLabels } from "@/components/ui/status-badge";
import { authorizePage } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { listConversations } from "@/lib/dal/conversations";
import { ConversationFilters } from "./_components/conversation-filters";
import { ConversationsTable } from "./_components/conversations-table";
import { StartTestConversationForm } from "./_components/test-message-form";
import { conversationSearchSchema, conversationsHref } from "./_components/search-params";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Conversations" };

export default async function ConversationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await authorizePage("conversations:read");
  const search = conversationSearchSchema.parse(await searchParams);
  const page = await listConversations({ ...search, limit: 50 });
  const filtered = Boolean(search.status || search.q);
  return (
    <>
      <PageHeader
        title="Conversations"
        description="Every customer conversation, newest first, with its status, the chain that handles it and the latest message. Open one to read what each agent said and did."
      />
      {can(actor.role, "playground:use") ? (
        <div className="mb-6 max-w-2xl rounded-xl border border-slate-200 bg-white p-4">
          <StartTestConversationForm />
        </div>
      ) : null}
      <ConversationFilters search={search} />
      {page.rows.length > 0 ? (
        <ConversationsTable rows={page.rows} />
      ) : search.cursor ? (
        <EmptyState title="No older conversations">
          You have reached the oldest conversation{filtered ? " matching these filters" : ""}.
        </EmptyState>
      ) : filtered ? (
        <EmptyState title="No conversations match">
          Nothing {search.status ? `with status “${conversationStatusLabels[search.status]}”` : ""}
          {search.q ? ` whose conversation id or customer id starts with “${search.q}”` : ""}.{" "}
          <Link href="/conversations" className="text-indigo-700 underline">
            Show all conversations
          </Link>
        </EmptyState>
      ) : (
        <EmptyState title="No conversations yet">
          Conversations arrive through the public API (
          <code className="font-mono text-xs">POST /api/v1/conversations</code>) or the playground, and
          appear here with their status: running, waiting for the customer, escalated, resolved or failed.
        </EmptyState>
      )}
      <CursorPagination
        newestHref={search.cursor ? conversationsHref({ status: search.status, q: search.q }) : null}
        newestLabel="← Newest"
        olderHref={page.nextCursor ? conversationsHref({ ...search, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
