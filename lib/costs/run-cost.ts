import { sql } from "drizzle-orm";

/**
 * What the run aliased `r` has cost so far, for sums over runs. A running run's row counts its
 * LLM calls only up to its last stored checkpoint (the step log's phase B, docs/step-log.md: up
 * to 7 steps behind), while its `llm_calls` rows, written with each step, have them all; found
 * by their primary key's trace id. A run that parked or settled stored its checkpoint with its
 * totals, so its row is exact.
 */
export const runCostSoFar = sql`case when r.status = 'running' then greatest(r.cost_usd,
  (select coalesce(sum(l.cost_usd), 0) from llm_calls l where l.trace_id = r.trace_id and l.run_id = r.id))
  else r.cost_usd end`;
