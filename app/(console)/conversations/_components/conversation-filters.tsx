import Form from "next/form";
import Link from "next/link";
import { conversationStatusLabels } from "@/components/ui/status-badge";
import { conversationStatuses } from "@/lib/dal/conversations";
import { conversationsHref, type ConversationSearch } from "./search-params";

/** Status chips and a search box; both only change the URL (a GET form, no client state). */
export function ConversationFilters({ search }: { search: ConversationSearch }) {
  const chips = [undefined, ...conversationStatuses] as const;
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
      <nav aria-label="Filter by status" className="flex flex-wrap gap-1.5 text-sm">
        {chips.map((status) => {
          const active = search.status === status;
          return (
            <Link
              key={status ?? "all"}
              href={conversationsHref({ status, q: search.q })}
              aria-current={active ? "page" : undefined}
              className={`rounded-full px-3 py-1 ring-1 ring-inset ${
                active
                  ? "bg-slate-900 text-white ring-slate-900"
                  : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-100"
              }`}
            >
              {status ? conversationStatusLabels[status] : "All"}
            </Link>
          );
        })}
      </nav>
      <Form action="/conversations" className="flex gap-2" role="search">
        {search.status ? <input type="hidden" name="status" value={search.status} /> : null}
        <label htmlFor="conversation-search" className="sr-only">
          Search by conversation id or customer id
        </label>
        <input
          id="conversation-search"
          name="q"
          type="search"
          defaultValue={search.q ?? ""}
          maxLength={100}
          placeholder="Conversation or customer id…"
          className="w-64 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm placeholder:text-slate-400"
        />
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700"
        >
          Search
        </button>
      </Form>
    </div>
  );
}
