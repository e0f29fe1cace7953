import { describe, expect, it } from "vitest";
import { migrationSteps } from "../helpers/migrations";

/**
 * Migration 0015 gives the aggregates across runs their own table of LLM calls: the calls stored
 * as spans so far must be there, and so must the calls a process of the previous version goes on
 * storing as spans during a rolling deploy. Other spans stay where they are.
 */
const { pg, apply, indexOf } = migrationSteps();
const llmCalls = indexOf('CREATE TABLE "llm_calls"');

const insertSpan = (spanId: string, kind: string, attributes = "{}") =>
  pg.exec(`insert into spans (trace_id, span_id, run_id, name, kind, status, agent, agent_version, model,
      tier, started_at, ended_at, duration_ms, input_tokens, output_tokens, cost_usd, attributes)
    values ('t1', '${spanId}', 'run_a', 'chat m', '${kind}', 'ok', 'triage', 2, 'gpt-4.1-mini', 'fast',
      '2026-11-20 10:00:01.5+00', '2026-11-20 10:00:02+00', 500, 120, 40, 0.00012, '${attributes}')`);

const columns = `trace_id, span_id, run_id, started_at::text as started_at, duration_ms, agent, agent_version,
  model, tier, status, input_tokens, output_tokens, cached_input_tokens, cost_usd`;

describe("migration 0015: LLM calls for the aggregates", () => {
  it("copies the stored LLM spans, and every one a previous version stores afterwards", async () => {
    expect(llmCalls).toBeGreaterThan(0);
    await apply(0, llmCalls);
    await insertSpan("s1", "llm", '{"gen_ai.usage.cache_read.input_tokens": 64, "switchyard.attempt": 1}');
    await insertSpan("s2", "tool");
    await apply(llmCalls, llmCalls + 1);
    // A writer of the previous version, after the migration.
    await insertSpan("s3", "llm");

    const rows = (await pg.query(`select ${columns} from llm_calls order by span_id`)).rows;
    const call = {
      trace_id: "t1",
      run_id: "run_a",
      started_at: "2026-11-20 10:00:01.5+00",
      duration_ms: 500,
      agent: "triage",
      agent_version: 2,
      model: "gpt-4.1-mini",
      tier: "fast",
      status: "ok",
      input_tokens: 120,
      output_tokens: 40,
      cost_usd: 0.00012,
    };
    expect(rows).toEqual([
      { ...call, span_id: "s1", cached_input_tokens: 64 },
      { ...call, span_id: "s3", cached_input_tokens: null },
    ]);
    // The spans stay for their traces.
    const spans = (await pg.query<{ n: number }>(`select count(*)::int as n from spans`)).rows[0]!.n;
    expect(spans).toBe(3);
  });
});
