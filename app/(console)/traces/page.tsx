import type { Metadata } from "next";
import Link from "next/link";
import { CursorPagination } from "@/components/ui/cursor-pagination";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { listTraces, MAX_WINDOW_MS } from "@/lib/dal/traces";
import { formatUtc } from "@/lib/format";
import { isFiltered, traceSearchSchema, tracesHref, windowOf } from "./_components/search-params";
import { TraceFilters } from "./_components/trace-filters";
import { TracesTable } from "./_components/traces-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Traces" };

export default async function TracesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await authorizePage("traces:read");
  const search = traceSearchSchema.parse(await searchParams);
  const asked = windowOf(search, Date.now());
  const page = await listTraces({
    ...asked,
    agent: search.agent,
    model: search.model,
    status: search.status,
    minCostUsd: search.minCost,
    minDurationMs: search.minLatency,
    cursor: search.cursor,
    limit: 50,
  });
  const backwards = asked.from >= asked.to;
  const clamped = !backwards && asked.to.getTime() - asked.from.getTime() > MAX_WINDOW_MS;
  const filtered = isFiltered(search);
  const suggest = (pick: (r: (typeof page.rows)[number]) => string[]) =>
    [...new Set(page.rows.flatMap(pick))].sort();

  return (
    <>
      <PageHeader
        title="Traces"
        description="One trace per conversation turn: every agent step, LLM call, tool call, handoff, retry and fallback with tokens, cost, latency, model and version. Newest first; open one for its waterfall."
      />
      <TraceFilters
        search={search}
        agentSuggestions={suggest((r) => r.agents)}
        modelSuggestions={suggest((r) => r.models)}
      />
      <p className="mb-3 text-xs text-slate-500" data-testid="trace-window">
        Started between <time dateTime={page.window.from}>{formatUtc(page.window.from)}</time> and{" "}
        <time dateTime={page.window.to}>{formatUtc(page.window.to)}</time>
        {clamped ? " (a window is at most 31 days: the start was moved forward)" : ""}.
      </p>
      {backwards ? (
        <EmptyState title="This time range is empty">
          The custom range ends before it starts. Pick a start before the end, or{" "}
          <Link href={tracesHref({})} className="text-indigo-700 underline">
            show the last 24 hours
          </Link>
          .
        </EmptyState>
      ) : page.rows.length > 0 ? (
        <TracesTable rows={page.rows} />
      ) : search.cursor ? (
        <EmptyState title="No older traces">
          You have reached the oldest trace in this time range{filtered ? " matching these filters" : ""}.
        </EmptyState>
      ) : filtered ? (
        <EmptyState title="No traces match">
          No trace in this time range matches these filters.{" "}
          <Link href={tracesHref({ range: search.range, from: search.from, to: search.to })} className="text-indigo-700 underline">
            Clear the filters
          </Link>
        </EmptyState>
      ) : (
        <EmptyState title="No traces in this time range">
          A trace is recorded for every conversation turn as the agents work on it. Nothing started in
          this window; try a longer range, or start a conversation through the public API or the
          playground.
        </EmptyState>
      )}
      <CursorPagination
        newestHref={search.cursor ? tracesHref({ ...search, cursor: undefined }) : null}
        newestLabel="← Newest"
        olderHref={page.nextCursor ? tracesHref({ ...search, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
