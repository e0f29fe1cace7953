import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { queryRows } from "@/lib/runs/sql";
import type { BreakerTripSource } from "./guard-runner";

/**
 * The guard's breaker signal for one arm: breaker trips per settled live run. Breakers are keyed
 * per agent (`agent:<name>`), not per version, so a trip is attributed through its effect on the
 * arm's own runs: a `fallback` event of that agent version, written when a breaker refused its
 * call or its retries ran out. Per run, because the canary and the stable version carry different
 * shares of the traffic and raw counts would always favour the smaller arm.
 */
export function fallbacksPerRun(db: Database): BreakerTripSource {
  return async (agent, version, since) => {
    const [row] = await queryRows<{ runs: number; fallbacks: number }>(
      db,
      sql`select count(distinct r.id)::int as runs, count(e.seq)::int as fallbacks
        from runs r
        left join run_events e on e.run_id = r.id and e.type = 'fallback'
          and e.agent = ${agent} and e.agent_version = ${version}
        where r.status <> 'running' and r.priority = 0 and r.created_at >= ${since.toISOString()}::timestamptz
          and ${agent} = any(r.agents)
          and (r.checkpoint->'versions'->>${agent})::int = ${version}`,
    );
    return row && row.runs > 0 ? row.fallbacks / row.runs : undefined;
  };
}
