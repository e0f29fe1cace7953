"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { formatRelative } from "@/components/ui/relative-time";
import { reasonPolicy } from "@/lib/escalations/policy";
import { type InboxFilters, inboxListOptions, type InboxPage } from "@/lib/query/inbox";
import { PriorityBadge } from "./priority-badge";
import { SlaCountdown } from "./sla-countdown";

/**
 * The live inbox: polls the console route so new escalations and claims appear without a reload.
 * Customer text and details are untrusted and rendered only as React text nodes.
 */
export function InboxList({ filters, initial }: { filters: InboxFilters; initial: InboxPage }) {
  const { data, error } = useQuery(inboxListOptions(filters, initial));
  const now = Date.now();
  const stale = error ? (
    <p role="status" className="mb-2 text-xs text-amber-800">
      {error.message} Showing the last list.
    </p>
  ) : null;
  if (data.rows.length === 0) {
    return (
      <>
        {stale}
        <InboxEmpty filters={filters} />
      </>
    );
  }
  return (
    <>
      {stale}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full text-left text-sm" data-testid="inbox-table">
          <thead className="bg-slate-50 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-3 py-2 font-medium">Priority</th>
              <th className="px-3 py-2 font-medium">SLA</th>
              <th className="px-3 py-2 font-medium">Reason</th>
              <th className="px-3 py-2 font-medium">Customer said</th>
              <th className="px-3 py-2 font-medium">Agent</th>
              <th className="px-3 py-2 font-medium">Waiting</th>
              <th className="px-3 py-2 font-medium">Owner</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.rows.map((row) => (
              <tr
                key={row.id}
                className="align-top hover:bg-slate-50"
                data-testid="inbox-row"
                data-escalation={row.id}
              >
                <td className="px-3 py-2">
                  <PriorityBadge priority={row.priority} />
                </td>
                <td className="px-3 py-2">
                  <SlaCountdown dueAt={row.slaDueAt} />
                </td>
                <td className="px-3 py-2">
                  <Link href={`/inbox/${row.id}`} className="font-medium text-indigo-700 underline">
                    {reasonPolicy(row.reason).label}
                  </Link>
                  {row.detail ? (
                    <p
                      className="mt-0.5 line-clamp-2 max-w-72 text-xs break-words text-slate-500"
                      title={row.detail}
                    >
                      {row.detail}
                    </p>
                  ) : null}
                </td>
                <td className="w-full min-w-56 px-3 py-2 text-slate-700">
                  {row.customerPreview === null ? (
                    <span className="text-slate-400">—</span>
                  ) : (
                    <p className="line-clamp-2 break-words" data-testid="customer-preview">
                      {row.customerPreview}
                    </p>
                  )}
                </td>
                <td className="px-3 py-2 font-mono text-xs whitespace-nowrap text-slate-600">
                  {row.agent ?? "—"}
                </td>
                <td className="px-3 py-2 whitespace-nowrap text-slate-600" suppressHydrationWarning>
                  {formatRelative(Date.parse(row.createdAt), now).replace(" ago", "")}
                </td>
                <td className="px-3 py-2 whitespace-nowrap">
                  {row.status === "claimed" ? (
                    <span className="text-slate-800">{row.claimedBy ?? "someone"}</span>
                  ) : (
                    <span className="text-emerald-700">Unclaimed</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function InboxEmpty({ filters }: { filters: InboxFilters }) {
  if (filters.cursor) {
    return (
      <EmptyState title="No more escalations">You have reached the end of the inbox.</EmptyState>
    );
  }
  if (filters.reason || filters.agent || filters.age) {
    return (
      <EmptyState title="Nothing matches these filters">
        No open escalation matches.{" "}
        <Link href="/inbox" className="text-indigo-700 underline">
          Show the whole inbox
        </Link>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="Nothing waiting for a person">
      Escalations land here when retries are exhausted, a budget runs out, confidence is low, a
      refund needs approval, the customer asks for a person or a handoff loop is stopped. This list
      updates itself.
    </EmptyState>
  );
}
