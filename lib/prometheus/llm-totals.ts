import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { jsonbValue, queryRows } from "@/lib/runs/sql";

/** LLM latency histogram bounds, in seconds. */
export const LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/**
 * How far behind the clock the sealed part stays: an LLM call is written when its step commits,
 * after its start, so the hour it started in is sealed only once its calls have surely landed.
 */
export const SEAL_LAG_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;

export const ROLLUP_SETTINGS_KEY = "metrics_llm_rollup";

const totalsSchema = z.object({
  calls: z.number(),
  errors: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  /** Integer units (nano-USD, microseconds): sums of integers are exact, so totals never dip. */
  costNanoUsd: z.number(),
  latencySumUs: z.number(),
  /** Cumulative count at or below each bound of LATENCY_BUCKETS_S. */
  buckets: z.array(z.number()),
});
export type AgentTotals = z.infer<typeof totalsSchema>;

const rollupSchema = z.object({
  bounds: z.array(z.number()),
  sealedUntil: z.number(),
  agents: z.record(z.string(), totalsSchema),
});
type Rollup = z.infer<typeof rollupSchema>;

const emptyRollup = (): Rollup => ({ bounds: [...LATENCY_BUCKETS_S], sealedUntil: 0, agents: {} });

/**
 * Cumulative per-agent LLM totals over all history, computed in Postgres on each scrape.
 *
 * Why not in-process counters: every process would count only its own calls, and behind a load
 * balancer each scrape would see a different process. Why not one aggregate over all `llm_calls`
 * per scrape: its cost grows with history. So completed hours are folded once into a rollup
 * stored in `settings` (row `metrics_llm_rollup`), and each scrape adds only the calls started
 * since the rollup's seal, about an hour's worth, on the calls' BRIN index of their start. The
 * totals never decrease: sealing moves calls from the live part to the rollup without changing
 * the sum, and calls are never updated (only a conversation's deletion removes them, and then
 * only from the live hour). A call committed more than SEAL_LAG_MS after it started, into an
 * already sealed hour, is not counted; the step loop's wall-clock bounds keep that from happening
 * in practice.
 */
export async function getLlmTotals(db: Database): Promise<Map<string, AgentTotals>> {
  const rollup = await sealCompletedHours(db, await readRollup(db));
  const live = await aggregate(db, rollup.sealedUntil, null);
  return merge(new Map(Object.entries(rollup.agents)), live);
}

async function readRollup(db: Database): Promise<{ stored: Rollup | null; rollup: Rollup }> {
  const [row] = await queryRows<{ value: unknown }>(db, sql`select value from settings where key = ${ROLLUP_SETTINGS_KEY}`);
  const value = jsonbValue(row?.value);
  const parsed = rollupSchema.safeParse(value);
  // Other bucket bounds (a changed release) cannot be merged: recompute from the beginning.
  const valid = parsed.success && sameBounds(parsed.data.bounds) ? parsed.data : null;
  return { stored: row ? (parsed.success ? parsed.data : null) : null, rollup: valid ?? emptyRollup() };
}

async function sealCompletedHours(db: Database, { stored, rollup }: { stored: Rollup | null; rollup: Rollup }): Promise<Rollup> {
  const [clock] = await queryRows<{ now: number }>(db, sql`select (extract(epoch from now()) * 1000)::float8 as now`);
  const target = Math.floor(((clock?.now ?? Date.now()) - SEAL_LAG_MS) / HOUR_MS) * HOUR_MS;
  if (target <= rollup.sealedUntil) return rollup;
  const delta = await aggregate(db, rollup.sealedUntil, target);
  const next: Rollup = {
    bounds: [...LATENCY_BUCKETS_S],
    sealedUntil: target,
    agents: Object.fromEntries(merge(new Map(Object.entries(rollup.agents)), delta)),
  };
  // Compare-and-set on the stored seal: two scrapes sealing at once store one result, not two.
  const saved = await queryRows<{ ok: number }>(
    db,
    sql`insert into settings (key, value, updated_at) values (${ROLLUP_SETTINGS_KEY}, ${JSON.stringify(next)}::jsonb, now())
      on conflict (key) do update set value = excluded.value, updated_at = now()
        where ${stored === null}::boolean or (settings.value->>'sealedUntil')::float8 = ${stored?.sealedUntil ?? -1}::float8
      returning 1 as ok`,
  );
  if (saved.length > 0) return next;
  // Someone else sealed meanwhile: use theirs (it covers the same calls).
  return (await readRollup(db)).rollup;
}

/** Per-agent totals of the LLM calls that started in [from, to) (to = null: up to now). */
async function aggregate(db: Database, fromMs: number, toMs: number | null): Promise<Map<string, AgentTotals>> {
  const buckets = LATENCY_BUCKETS_S.map(
    (le, i) => sql`, count(*) filter (where duration_ms <= ${le * 1000}::float8)::float8 as ${sql.identifier(`b${i}`)}`,
  );
  const upper = toMs === null ? sql`` : sql`and started_at < to_timestamp(${toMs}::float8 / 1000.0)`;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select coalesce(agent, '') as agent, count(*)::float8 as calls,
        count(*) filter (where status = 'error')::float8 as errors,
        coalesce(sum(input_tokens), 0)::float8 as input_tokens,
        coalesce(sum(output_tokens), 0)::float8 as output_tokens,
        coalesce(sum(round(cost_usd * 1e9)), 0)::float8 as cost_nano_usd,
        coalesce(sum(round(greatest(duration_ms, 0) * 1000)), 0)::float8 as latency_sum_us
        ${sql.join(buckets, sql``)}
      from llm_calls
      where started_at >= to_timestamp(${fromMs}::float8 / 1000.0) ${upper}
      group by 1`,
  );
  return new Map(
    rows.map((r) => [
      String(r.agent),
      {
        calls: Number(r.calls),
        errors: Number(r.errors),
        inputTokens: Number(r.input_tokens),
        outputTokens: Number(r.output_tokens),
        costNanoUsd: Number(r.cost_nano_usd),
        latencySumUs: Number(r.latency_sum_us),
        buckets: LATENCY_BUCKETS_S.map((_, i) => Number(r[`b${i}`])),
      },
    ]),
  );
}

function merge(a: Map<string, AgentTotals>, b: Map<string, AgentTotals>): Map<string, AgentTotals> {
  const out = new Map(a);
  for (const [agent, t] of b) {
    const prev = out.get(agent);
    out.set(
      agent,
      prev
        ? {
            calls: prev.calls + t.calls,
            errors: prev.errors + t.errors,
            inputTokens: prev.inputTokens + t.inputTokens,
            outputTokens: prev.outputTokens + t.outputTokens,
            costNanoUsd: prev.costNanoUsd + t.costNanoUsd,
            latencySumUs: prev.latencySumUs + t.latencySumUs,
            buckets: t.buckets.map((n, i) => n + (prev.buckets[i] ?? 0)),
          }
        : t,
    );
  }
  return out;
}

function sameBounds(bounds: readonly number[]): boolean {
  return bounds.length === LATENCY_BUCKETS_S.length && bounds.every((b, i) => b === LATENCY_BUCKETS_S[i]);
}
