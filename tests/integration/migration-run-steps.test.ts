import { describe, expect, it } from "vitest";
import { migrationSteps } from "../helpers/migrations";

/**
 * Migration 0014 moves every `run_events` row into `run_steps` and puts a view of the old shape in
 * its place: readers must see exactly the events they saw before, whatever their content.
 */
const { pg, apply, indexOf } = migrationSteps();
const runSteps = indexOf('CREATE TABLE "run_steps"');

// `at` as text: its microseconds must survive the trip through epoch milliseconds too.
const columns = `run_id, seq, type, agent, agent_version, at::text as at, data::text as data`;

describe("migration 0014: events one row per commit", () => {
  it("keeps every existing event readable, unchanged, through the run_events view", async () => {
    expect(runSteps).toBeGreaterThan(0);
    await apply(0, runSteps);
    await pg.exec(`insert into run_events (run_id, seq, type, agent, agent_version, at, data) values
      ('run_a', 1, 'run_started', null, null, '2026-11-20 10:00:00.123456+00',
        '{"type": "run_started", "chain": "support", "input": "hi", "versions": {"triage": 1}}'),
      ('run_a', 2, 'llm_call', 'triage', 3, '2026-11-20 10:00:01.5+00',
        '{"type": "llm_call", "threadId": "t1", "usage": {"inputTokens": 120}, "output": {"seq": "a key named like a column"}, "latencyMs": 12.5}'),
      ('run_b', 7, 'completed', null, null, '2026-11-21 23:59:59+00', '{"type": "completed", "output": null}')`);
    const before = (await pg.query(`select ${columns} from run_events order by run_id, seq`)).rows;
    await apply(runSteps, runSteps + 1);

    const after = (await pg.query(`select ${columns} from run_events order by run_id, seq`)).rows;
    expect(after).toEqual(before);
    const steps = (await pg.query<{ n: number }>(`select count(*)::int as n from run_steps`)).rows[0]!.n;
    expect(steps).toBe(3);
  });
});
