/** What a call asks of the daily budgets before it is made. */
export interface SpendRequest {
  readonly runId: string;
  readonly chain: string;
  readonly agent: string;
  /** Critical agents keep running past a hard daily limit (their spend is still counted). */
  readonly critical: boolean;
  /** The call's cost bound ({@link maxCallCostUsd}); reserved until the call settles. */
  readonly maxUsd: number;
}

export type SpendDecision =
  | { readonly ok: true; readonly ticket: string | null }
  | { readonly ok: false; readonly scope: string; readonly spentUsd: number; readonly limitUsd: number };

/**
 * The SpendGate port: daily budgets shared by every process (per agent, per API key, global).
 * `reserve` atomically books the call's bound before the call, `settle` replaces it with the
 * actual cost afterwards, so concurrent workers overspend a budget by at most one call. A ticket
 * that is never settled (the process died) must expire on its own.
 */
export interface SpendGate {
  reserve(request: SpendRequest): Promise<SpendDecision>;
  settle(ticket: string, actualUsd: number): Promise<void>;
}
