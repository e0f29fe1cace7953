import { queryOptions } from "@tanstack/react-query";
import type { BreakerStatusName } from "@/lib/breakers/timeline";

/**
 * The breakers domain's react-query contract: keys, DTOs and the polling options of the
 * breakers page. Client-safe: it only fetches the session-authorized console route.
 */
export type BreakerKind = "agent" | "model" | "tool" | "other";

export interface BreakerDto {
  key: string;
  kind: BreakerKind;
  /** The protected thing without its kind, e.g. `billing` or `simulator/fast`. */
  name: string;
  status: BreakerStatusName;
  /** Opened by a person: stays open until reset. */
  forced: boolean;
  consecutiveFailures: number;
  windowCalls: number;
  windowFailures: number;
  openedAt: string | null;
  /** When an open breaker lets its next probe through (null while closed or forced). */
  probeAt: string | null;
  /** Null for a breaker no call has reached yet. */
  updatedAt: string | null;
}

export interface BreakerTransitionDto {
  id: string;
  key: string;
  from: BreakerStatusName;
  to: BreakerStatusName;
  reason: string;
  consecutiveFailures: number;
  windowCalls: number;
  windowFailures: number;
  actorEmail: string | null;
  at: string;
}

export interface BreakersDto {
  /** Server time of the snapshot, and the start of the timeline range. */
  now: string;
  since: string;
  breakers: BreakerDto[];
  /** Transitions since `since`, newest first (bounded). */
  transitions: BreakerTransitionDto[];
}

export const breakerKeys = {
  all: ["breakers"] as const,
  list: () => [...breakerKeys.all, "list"] as const,
};

/** The page refreshes itself this often. */
export const BREAKERS_POLL_MS = 2_000;

export class BreakersFetchError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "BreakersFetchError";
  }
}

async function fetchBreakers(signal: AbortSignal): Promise<BreakersDto> {
  const res = await fetch("/api/console/breakers", { signal, cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new BreakersFetchError(
      res.status,
      body?.error?.message ?? `Breakers could not load (HTTP ${res.status}).`,
    );
  }
  return (await res.json()) as BreakersDto;
}

export function breakersOptions() {
  return queryOptions({
    queryKey: breakerKeys.list(),
    queryFn: ({ signal }) => fetchBreakers(signal),
    refetchInterval: BREAKERS_POLL_MS,
    retry: (count, error) =>
      !(error instanceof BreakersFetchError && error.status < 500) && count < 2,
  });
}
