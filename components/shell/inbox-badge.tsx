"use client";

import { useQuery } from "@tanstack/react-query";
import { inboxCountOptions } from "@/lib/query/inbox";

/** How many escalations wait for a person, kept current by polling. */
export function InboxBadge({ initialCount }: { initialCount: number }) {
  const { data: count } = useQuery(inboxCountOptions(initialCount));
  if (count === 0) return null;
  return (
    <span
      data-testid="inbox-badge"
      aria-label={`${count} waiting`}
      className="ml-auto rounded-full bg-rose-600 px-1.5 py-0.5 text-[11px] leading-none font-semibold text-white tabular-nums"
    >
      {count > 99 ? "99+" : count}
    </span>
  );
}
