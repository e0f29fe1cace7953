import type { Metadata } from "next";
import { CursorPagination } from "@/components/ui/cursor-pagination";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { inboxQuerySchema, listInbox } from "@/lib/dal/inbox";
import { type InboxFilters as Filters, inboxQueryString } from "@/lib/query/inbox";
import { InboxFilters } from "./_components/inbox-filters";
import { InboxList } from "./_components/inbox-list";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await authorizePage("inbox:read");
  const query = inboxQuerySchema.parse(await searchParams);
  const page = await listInbox(query);
  // Only defined keys: the react-query key must not change between server and client.
  const filters: Filters = Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined),
  );
  const { cursor: _cursor, ...withoutCursor } = filters;
  return (
    <>
      <PageHeader
        title="Inbox"
        description="Conversations the agents handed to a person, most urgent first by priority and SLA due time. Claim one to reply, approve a pending tool call, hand it back to the agents or resolve it."
      />
      <InboxFilters filters={filters} agents={page.agents} />
      <InboxList filters={filters} initial={page} />
      <CursorPagination
        newestHref={filters.cursor ? `/inbox${inboxQueryString(withoutCursor)}` : null}
        newestLabel="← Most urgent"
        olderHref={
          page.nextCursor
            ? `/inbox${inboxQueryString({ ...withoutCursor, cursor: page.nextCursor })}`
            : null
        }
        olderLabel="Next page →"
      />
    </>
  );
}
