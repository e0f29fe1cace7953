/**
 * Per-agent metric definitions (DESIGN.md capability 3). The SQL in lib/dal/metrics.ts computes the
 * counts below with indexed aggregates; these pure functions turn counts into the published
 * metrics, so every definition lives in one place and is unit-tested.
 *
 * All metrics are per agent and agent version over a half-open window [from, to):
 *
 * - **LLM latency p50 / p95 / p99**: `percentile_cont(p)` (linear interpolation between the two
 *   nearest ranks) over `duration_ms` of the agent's `llm` spans that started in the window,
 *   failed calls included (a slow failure is still latency the customer waits for).
 * - **Tokens in / out, cost**: sums of `input_tokens`, `output_tokens`, `cost_usd` of those spans.
 * - **Success rate**: llm spans with status ≠ `error` / llm spans.
 * - **Retry rate**: the agent's `retry` spans in the window / its llm spans (can exceed 100 %).
 * - **Fallback rate**: the agent's `fallback` spans (its model turn failed and the chain's ladder
 *   took over: another agent, a template answer or a person) / the turns it tried the model on,
 *   counted as its llm spans plus its fallbacks taken without a call (an open breaker, which
 *   sends none). A turn whose call failed and fell back counts once in each.
 * - **Escalation rate**: among runs created in the window that the agent took part in
 *   (`runs.agents` contains it) and that have settled (status completed, escalated or failed),
 *   the share whose status is `escalated`. Runs still running or waiting for a person are left
 *   out until they settle: their outcome is not known yet.
 * - **Handoff accuracy**: among handoff spans FROM the agent (`switchyard.handoff.from`) that
 *   started in the window, the share that was correct: not reversed (no later handoff in the same
 *   run from the target back to this agent) and in a run that did not end `escalated`.
 * - **Cost per resolved conversation**: total `cost_usd` of the runs (turns) created in the window
 *   that the agent took part in, divided by how many of those runs completed. "Resolved" means
 *   run status `completed`: the agents answered the turn without a person.
 *
 * A ratio whose denominator is zero is `null` (shown as "no data"), never 0.
 */

/** `numerator / denominator`, or null when there is nothing to divide by. */
export function ratio(numerator: number, denominator: number): number | null {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) return null;
  return numerator / denominator;
}

export function successRate(llmCalls: number, llmErrors: number): number | null {
  return ratio(llmCalls - llmErrors, llmCalls);
}

export function retryRate(retries: number, llmCalls: number): number | null {
  return ratio(retries, llmCalls);
}

export function fallbackRate(fallbacks: number, llmCalls: number, fallbacksWithoutCall: number): number | null {
  return ratio(fallbacks, llmCalls + fallbacksWithoutCall);
}

export function escalationRate(escalatedRuns: number, settledRuns: number): number | null {
  return ratio(escalatedRuns, settledRuns);
}

export function handoffAccuracy(correctHandoffs: number, handoffs: number): number | null {
  return ratio(correctHandoffs, handoffs);
}

export function costPerResolved(runsCostUsd: number, completedRuns: number): number | null {
  return ratio(runsCostUsd, completedRuns);
}

/**
 * PostgreSQL's `percentile_cont(p)` on a list, for tests and documentation: sort, take the
 * fractional rank p·(n−1) and interpolate linearly between its neighbours. Null on no values.
 */
export function percentileCont(values: readonly number[], p: number): number | null {
  if (p < 0 || p > 1) throw new RangeError("p must be within [0, 1]");
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

/** The LLM-span aggregate of one agent version (one row of the spans query). */
export interface LlmAggregate {
  agent: string;
  version: number | null;
  llmCalls: number;
  llmErrors: number;
  retries: number;
  /** Fallbacks from the agent, and those of them taken on an open breaker (no call made). */
  fallbacks: number;
  fallbacksWithoutCall: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The run aggregate of one agent version (runs the agent took part in). */
export interface RunAggregate {
  agent: string;
  version: number | null;
  runs: number;
  settledRuns: number;
  escalatedRuns: number;
  completedRuns: number;
  runsCostUsd: number;
}

/** The handoff aggregate of one agent version (handoffs from it). */
export interface HandoffAggregate {
  agent: string;
  version: number | null;
  handoffs: number;
  correctHandoffs: number;
}

export interface AgentMetrics {
  agent: string;
  version: number | null;
  llmCalls: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  successRate: number | null;
  retryRate: number | null;
  fallbackRate: number | null;
  runs: number;
  escalationRate: number | null;
  handoffs: number;
  handoffAccuracy: number | null;
  completedRuns: number;
  costPerResolvedUsd: number | null;
}

const key = (agent: string, version: number | null) => `${agent}\u0000${version ?? ""}`;

/**
 * Joins the three aggregates into one row per agent version, sorted by agent then version
 * (unknown version last). A version missing from one aggregate gets that aggregate's gaps.
 */
export function combineAgentMetrics(
  llm: readonly LlmAggregate[],
  runs: readonly RunAggregate[],
  handoffs: readonly HandoffAggregate[],
): AgentMetrics[] {
  const rows = new Map<string, { agent: string; version: number | null; l?: LlmAggregate; r?: RunAggregate; h?: HandoffAggregate }>();
  const slot = (agent: string, version: number | null) => {
    const k = key(agent, version);
    let row = rows.get(k);
    if (!row) rows.set(k, (row = { agent, version }));
    return row;
  };
  for (const l of llm) slot(l.agent, l.version).l = l;
  for (const r of runs) slot(r.agent, r.version).r = r;
  for (const h of handoffs) slot(h.agent, h.version).h = h;
  return [...rows.values()]
    .map(({ agent, version, l, r, h }) => ({
      agent,
      version,
      llmCalls: l?.llmCalls ?? 0,
      latencyP50Ms: l?.p50 ?? null,
      latencyP95Ms: l?.p95 ?? null,
      latencyP99Ms: l?.p99 ?? null,
      inputTokens: l?.inputTokens ?? 0,
      outputTokens: l?.outputTokens ?? 0,
      costUsd: l?.costUsd ?? 0,
      successRate: successRate(l?.llmCalls ?? 0, l?.llmErrors ?? 0),
      retryRate: retryRate(l?.retries ?? 0, l?.llmCalls ?? 0),
      fallbackRate: fallbackRate(l?.fallbacks ?? 0, l?.llmCalls ?? 0, l?.fallbacksWithoutCall ?? 0),
      runs: r?.runs ?? 0,
      escalationRate: escalationRate(r?.escalatedRuns ?? 0, r?.settledRuns ?? 0),
      handoffs: h?.handoffs ?? 0,
      handoffAccuracy: handoffAccuracy(h?.correctHandoffs ?? 0, h?.handoffs ?? 0),
      completedRuns: r?.completedRuns ?? 0,
      costPerResolvedUsd: costPerResolved(r?.runsCostUsd ?? 0, r?.completedRuns ?? 0),
    }))
    .sort(
      (a, b) =>
        a.agent.localeCompare(b.agent) ||
        (a.version ?? Number.MAX_SAFE_INTEGER) - (b.version ?? Number.MAX_SAFE_INTEGER),
    );
}
