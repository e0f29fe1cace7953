import { queryOptions } from "@tanstack/react-query";

/**
 * The conversations domain's react-query contract (STYLE.md): query keys, the live view's DTO and
 * its options. Client-safe: it only fetches the session-authorized console route handlers.
 */

export type LiveConversationStatus = "running" | "waiting_for_customer" | "escalated" | "resolved" | "failed";

export interface LiveMessageDto {
  id: string;
  role: "customer" | "agent" | "human";
  author: string | null;
  content: string;
  createdAt: string;
}

export interface LiveRunDto {
  id: string;
  status: string;
  traceId: string;
  createdAt: string;
}

/** One event of a run, as the live view shows it. */
export interface LiveStepDto {
  runId: string;
  seq: number;
  type: string;
  agent: string | null;
  agentVersion: number | null;
  at: string;
  summary: string;
  /** The model that answered an llm_call, e.g. `simulator/fast`. */
  model: string | null;
  tokens: { input: number; output: number } | null;
  latencyMs: number | null;
}

/** Where the client has read up to: the last step it holds. */
export interface LiveCursor {
  runId: string;
  seq: number;
}

export interface LiveConversationDto {
  id: string;
  status: LiveConversationStatus;
  chain: string;
  /** A console conversation the caller may write to as the test customer right now. */
  canReply: boolean;
  messages: LiveMessageDto[];
  runs: LiveRunDto[];
  /** Only the steps after the request's cursor (all of them without one). */
  steps: LiveStepDto[];
  cursor: LiveCursor | null;
}

export const conversationKeys = {
  all: ["conversations"] as const,
  detail: (id: string) => [...conversationKeys.all, "detail", id] as const,
  live: (id: string) => [...conversationKeys.detail(id), "live"] as const,
};

/** How often a live view polls while the agents are working. */
export const LIVE_POLL_MS = 500;
/** The most steps a live view keeps in memory. */
const MAX_STEPS = 2_000;

export function liveConversationPath(id: string, cursor: LiveCursor | null): string {
  const base = `/api/console/conversations/${encodeURIComponent(id)}/live`;
  if (!cursor) return base;
  const params = new URLSearchParams({ afterRun: cursor.runId, afterSeq: String(cursor.seq) });
  return `${base}?${params.toString()}`;
}

/** The route's error message (always safe to show), or a generic one. */
export class LiveFetchError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "LiveFetchError";
  }
}

async function fetchLive(id: string, cursor: LiveCursor | null, signal: AbortSignal): Promise<LiveConversationDto> {
  const res = await fetch(liveConversationPath(id, cursor), { signal, cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new LiveFetchError(res.status, body?.error?.message ?? `The live view could not load (HTTP ${res.status}).`);
  }
  return (await res.json()) as LiveConversationDto;
}

/** Appends the new page of steps to what the cache holds; the rest is the newest state. */
export function mergeLive(prev: LiveConversationDto | undefined, next: LiveConversationDto): LiveConversationDto {
  if (!prev) return next;
  const seen = new Set(prev.steps.map((s) => `${s.runId}:${s.seq}`));
  const steps = [...prev.steps, ...next.steps.filter((s) => !seen.has(`${s.runId}:${s.seq}`))];
  return { ...next, steps: steps.slice(-MAX_STEPS), cursor: next.cursor ?? prev.cursor };
}

/**
 * A conversation as it unfolds: each poll asks only for the steps after the cursor the cache
 * holds and appends them; polling runs while the agents work and stops once the run settles.
 */
export function liveConversationOptions(id: string) {
  return queryOptions({
    queryKey: conversationKeys.live(id),
    queryFn: async ({ client, queryKey, signal }) => {
      const prev = client.getQueryData<LiveConversationDto>(queryKey);
      return mergeLive(prev, await fetchLive(id, prev?.cursor ?? null, signal));
    },
    refetchInterval: (query) => (query.state.data?.status === "running" ? LIVE_POLL_MS : false),
    // A 404 or 403 will not heal by retrying; a network blip may.
    retry: (count, error) => !(error instanceof LiveFetchError && error.status < 500) && count < 2,
  });
}
