import { queryOptions } from "@tanstack/react-query";
import type { EscalationKind, EscalationStatus } from "@/lib/escalations/policy";

/**
 * The inbox's react-query contract (STYLE.md): DTOs, keys and options. Client-safe: it only
 * fetches the session-authorized console routes under /api/console/inbox.
 */

/** One inbox row: only what the list shows. Text fields are rendered as text, never as HTML. */
export interface InboxRowDto {
  id: string;
  conversationId: string;
  reason: string;
  detail: string | null;
  kind: EscalationKind;
  agent: string | null;
  priority: number;
  slaDueAt: string;
  status: EscalationStatus;
  claimedBy: string | null;
  createdAt: string;
  /** The customer's newest message, shortened. */
  customerPreview: string | null;
}

export interface InboxPage {
  rows: InboxRowDto[];
  nextCursor: string | null;
  /** Everything waiting for a person, whatever the filters. */
  openCount: number;
  /** Agents with something in the inbox, for the filter. */
  agents: string[];
}

/** The URL's filters, as the page and the route read them. */
export interface InboxFilters {
  reason?: string;
  agent?: string;
  age?: string;
  cursor?: string;
}

export const inboxKeys = {
  all: ["inbox"] as const,
  list: (filters: InboxFilters) => [...inboxKeys.all, "list", filters] as const,
  count: () => [...inboxKeys.all, "count"] as const,
};

/** New escalations appear within this long without a reload. */
export const INBOX_POLL_MS = 3_000;
const COUNT_POLL_MS = INBOX_POLL_MS;

export function inboxQueryString(filters: InboxFilters): string {
  const params = new URLSearchParams();
  for (const key of ["reason", "agent", "age", "cursor"] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, cache: "no-store" });
  if (!res.ok) throw new Error(`The inbox could not refresh (HTTP ${res.status}).`);
  return (await res.json()) as T;
}

/** The inbox list under `filters`, polled; the server-rendered page is the first value. */
export function inboxListOptions(filters: InboxFilters, initialData: InboxPage) {
  return queryOptions({
    queryKey: inboxKeys.list(filters),
    queryFn: ({ signal }) =>
      getJson<InboxPage>(`/api/console/inbox${inboxQueryString(filters)}`, signal),
    initialData,
    refetchInterval: INBOX_POLL_MS,
  });
}

/** The navigation badge's count, polled. */
export function inboxCountOptions(initialCount: number) {
  return queryOptions({
    queryKey: inboxKeys.count(),
    queryFn: async ({ signal }) =>
      (await getJson<{ openCount: number }>("/api/console/inbox/count", signal)).openCount,
    initialData: initialCount,
    refetchInterval: COUNT_POLL_MS,
  });
}
