import { describe, expect, it } from "vitest";
import { migrationSteps } from "../helpers/migrations";

/**
 * Migrations 0018 and 0019 turn `run_steps.events` and `runs.checkpoint` from jsonb into json, so
 * that a replay reads keys in the order the runtime wrote them. Existing rows must read the same
 * afterwards, through the `run_events` view and through the `->` paths the console and the worker
 * use.
 */
const { pg, apply, indexOf } = migrationSteps();
const first = indexOf('ALTER COLUMN "events" SET DATA TYPE json');
const second = indexOf('ALTER COLUMN "checkpoint" SET DATA TYPE json');

const events = `select run_id, seq, type, agent, agent_version, at::text as at, data::text as data from run_events order by run_id, seq`;
const checkpoint = `select checkpoint::jsonb::text as whole, checkpoint->'versions'->>'triage' as triage,
  checkpoint->'context'->'summary' as summary from runs`;

describe("migrations 0018 and 0019: the log and checkpoints as json text", () => {
  it("keeps every existing event and checkpoint readable, unchanged", async () => {
    expect(first).toBeGreaterThan(0);
    expect(second).toBe(first + 1);
    await apply(0, first);
    await pg.exec(`insert into conversations (id, status, chain) values ('conv_a', 'running', 'support');
      insert into runs (id, conversation_id, chain, status, seq, checkpoint, trace_id) values ('run_a', 'conv_a', 'support',
        'running', 3, '{"runId": "run_a", "versions": {"triage": 3}, "context": {"summary": {"turns": 2, "text": "hi"}}}', 'abc');
      insert into run_steps (run_id, seq, events) values
        ('run_a', 1, '[{"type": "run_started", "seq": 1, "at": 1763632800123.456, "chain": "support", "input": "hi", "versions": {"triage": 3}}]'),
        ('run_a', 2, '[{"type": "step_started", "seq": 2, "at": 1763632801500, "step": 1, "threads": ["t1"]},
          {"type": "llm_call", "seq": 3, "at": 1763632801512.5, "agent": "triage", "agentVersion": 3, "threadId": "t1", "output": {"seq": "a key named like a column"}}]')`);
    const before = { events: (await pg.query(events)).rows, checkpoint: (await pg.query(checkpoint)).rows };

    await apply(first, second + 1);

    expect({ events: (await pg.query(events)).rows, checkpoint: (await pg.query(checkpoint)).rows }).toEqual(before);
    expect(before.events).toHaveLength(3);
    expect(before.checkpoint).toEqual([expect.objectContaining({ triage: "3" })]);
    const types = (await pg.query<{ events: string; checkpoint: string }>(
      `select pg_typeof(s.events)::text as events, pg_typeof(r.checkpoint)::text as checkpoint from run_steps s, runs r limit 1`,
    )).rows[0];
    expect(types).toEqual({ events: "json", checkpoint: "json" });
  });
});
