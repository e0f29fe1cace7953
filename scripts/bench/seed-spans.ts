import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";

/**
 * Synthetic traces for the console-scale benchmark: `runs` conversations, each one run with ten
 * spans shaped like the support team's (root, 3 steps, 4 LLM calls, a handoff, a tool call),
 * stored as a run from before step-log phase D stored them (its step log is not seeded),
 * created in [fromHoursAgo, toHoursAgo). Written with generate_series: seconds for a million spans.
 */
export async function seedTraces(
  db: Database,
  opts: { firstId: number; runs: number; fromHoursAgo: number; toHoursAgo: number },
): Promise<void> {
  const last = opts.firstId + opts.runs - 1;
  const span = opts.fromHoursAgo - opts.toHoursAgo;
  // One transaction: the scratch table lives until its commit.
  await db.transaction(async (tx) => {
  await tx.execute(sql`
    create temporary table bench_seed on commit drop as
    select g, now() - ${opts.toHoursAgo}::float8 * interval '1 hour' - (random() * ${span}::float8 * interval '1 hour') as ts,
      'cnv_bench' || lpad(g::text, 17, '0') as cid, 'run_bench' || lpad(g::text, 17, '0') as rid,
      md5('trace' || g::text) as tid
    from generate_series(${opts.firstId}::int, ${last}::int) g`);
  await tx.execute(sql`
    insert into conversations (id, status, chain, created_at, updated_at)
    select cid, 'waiting_for_customer', 'support', ts, ts + interval '2 seconds' from bench_seed`);
  await tx.execute(sql`
    insert into runs (id, conversation_id, chain, status, seq, checkpoint, trace_id, created_at,
      updated_at, ended_at, duration_ms, cost_usd, input_tokens, output_tokens, llm_calls, errors,
      agents, models)
    select rid, cid, 'support', case when g % 17 = 0 then 'escalated' else 'completed' end, 12,
      '{}'::jsonb, tid, ts, ts, ts + interval '2 seconds', 1500 + (g % 900), 0.0012 + (g % 7) * 0.0001,
      600, 180, 4, (g % 23 = 0)::int, array['triage', case when g % 3 = 0 then 'billing' else 'technical' end, 'reviewer'],
      array['simulator/fast', 'simulator/standard'] from bench_seed`);
  await tx.execute(sql`
    insert into spans (trace_id, span_id, parent_span_id, run_id, name, kind, status, agent,
      agent_version, model, tier, started_at, ended_at, duration_ms, input_tokens, output_tokens,
      cost_usd, attributes)
    select s.tid, substr(md5(s.rid || k::text), 1, 16),
      case when k = 1 then null when k in (2, 5, 8) then substr(md5(s.rid || '1'), 1, 16)
        else substr(md5(s.rid || (case when k < 5 then 2 when k < 8 then 5 else 8 end)::text), 1, 16) end,
      s.rid,
      case k when 1 then 'run support' when 2 then 'step 1' when 5 then 'step 2' when 8 then 'step 3'
        when 4 then 'handoff triage → technical' when 7 then 'execute_tool kb_search' else 'chat simulator/standard' end,
      case k when 1 then 'run' when 2 then 'step' when 5 then 'step' when 8 then 'step' when 4 then 'handoff'
        when 7 then 'tool' else 'llm' end,
      case when k = 9 and s.g % 23 = 0 then 'error' else 'ok' end,
      case when k in (1, 2, 5, 8) then null when k in (3, 4) then 'triage' when k = 10 then 'reviewer'
        else 'technical' end,
      case when k in (1, 2, 5, 8) then null else 1 end,
      case when k in (3, 6, 9, 10) then 'simulator/standard' end,
      case when k in (3, 6, 9, 10) then 'standard' end,
      s.ts + (k * 150) * interval '1 millisecond', s.ts + (k * 150 + 100 + (s.g * k) % 400) * interval '1 millisecond',
      100 + (s.g * k) % 400,
      case when k in (3, 6, 9, 10) then 150 end, case when k in (3, 6, 9, 10) then 45 end,
      case when k in (3, 6, 9, 10) then 0.0003 end,
      case when k = 4 then jsonb_build_object('switchyard.handoff.from', 'triage', 'switchyard.handoff.to', 'technical')
        else '{}'::jsonb end
    from bench_seed s cross join generate_series(1, 10) k`);
  });
  // The LLM spans reach llm_calls through migration 0015's trigger, as a previous version's
  // writes would. Its BRIN index summarises new ranges in the background (autosummarize); a
  // console that has run for a while has them summarised, so the seed does it at once.
  await db.execute(sql`select brin_summarize_new_values('llm_calls_started_brin')`);
  await db.execute(sql`analyze conversations; analyze runs; analyze spans; analyze llm_calls`);
}
