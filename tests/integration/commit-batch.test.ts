import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { startConversation } from "@/lib/runs/conversations";
import { PgRunStore } from "@/lib/runs/pg-run-store";
import { queryRows } from "@/lib/runs/sql";
import { ConcurrencyConflict, type RunEvent, type RunState } from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { instantParts, runsOf } from "../helpers/runtime";

setupTestDatabase();

/** Runs waiting at their checkpoint, as a worker would find them. */
async function freshRuns(
  count: number,
): Promise<{ runId: string; seq: number; state: RunState }[]> {
  const parts = instantParts();
  const store = new PgRunStore(testDb());
  const runs = [];
  for (let i = 0; i < count; i++) {
    const { id } = await startConversation(
      testDb(),
      { message: `my sync failed (${i})`, apiKeyId: null },
      parts,
    );
    const [run] = await runsOf(id);
    const loaded = await store.loadCheckpoint(run!.id);
    runs.push({ runId: run!.id, ...loaded! });
  }
  return runs;
}

/** A mid-run step's commit: one event, the checkpoint one seq further, on an owner-less run. */
function stepOf(run: { runId: string; seq: number; state: RunState }, agent: string) {
  const seq = run.seq + 1;
  const event: RunEvent = {
    runId: run.runId,
    seq,
    at: Date.now(),
    agent,
    agentVersion: 1,
    type: "step_started",
    step: 1,
    threads: ["t1"],
  };
  return () =>
    new PgRunStore(testDb()).commitStep(run.runId, run.seq, [event], {
      ...run.state,
      seq,
      step: run.state.step + 1,
    });
}

async function rowsOf(ids: string[]) {
  return queryRows<{ id: string; seq: number; tx: string; events: number; agents: string[] }>(
    testDb(),
    sql`select r.id, r.seq, r.xmin::text as tx, r.agents,
          (select count(*)::int from run_events e where e.run_id = r.id and e.seq = r.seq) as events
        from runs r where r.id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
  );
}

describe("group commit of concurrent steps", () => {
  it("commits steps that arrive together in fewer transactions, each with its own row, event and agent", async () => {
    const runs = await freshRuns(10);
    await Promise.all(runs.map((run, i) => stepOf(run, `agent-${i}`)()));
    const rows = await rowsOf(runs.map((r) => r.runId));
    expect(rows).toHaveLength(10);
    for (const run of runs) {
      const row = rows.find((r) => r.id === run.runId);
      expect(row).toMatchObject({ seq: run.seq + 1, events: 1 });
      expect(row!.agents).toContain(`agent-${runs.indexOf(run)}`);
    }
    // Rows written by one transaction share its id: fewer ids than steps means steps were grouped.
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(10);
  });

  it("refuses a stale step alone and commits the others of its group", async () => {
    const runs = await freshRuns(8);
    const stale = runs[7]!;
    await stepOf(stale, "first-writer")();
    const results = await Promise.allSettled(runs.map((run, i) => stepOf(run, `agent-${i}`)()));
    expect(results.slice(0, 7).every((r) => r.status === "fulfilled")).toBe(true);
    const refused = results[7];
    expect(refused?.status).toBe("rejected");
    expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(ConcurrencyConflict);
    const rows = await rowsOf(runs.map((r) => r.runId));
    expect(rows.find((r) => r.id === stale.runId)?.agents).not.toContain("agent-7");
    expect(rows.filter((r) => r.events === 1)).toHaveLength(8);
  });

  it("retries each step on its own when the group's statement fails, so only the bad step fails", async () => {
    const runs = await freshRuns(8);
    const bad = runs[7]!;
    // A leftover event at the seq the step will write: its insert violates the log's key.
    await testDb().execute(sql`insert into run_events (run_id, seq, type, at, data)
      values (${bad.runId}, ${bad.seq + 1}, 'step_started', now(), '{}'::jsonb)`);
    const results = await Promise.allSettled(runs.map((run, i) => stepOf(run, `agent-${i}`)()));
    expect(results.slice(0, 7).map((r) => r.status)).toEqual(Array(7).fill("fulfilled"));
    expect(results[7]?.status).toBe("rejected");
    const rows = await rowsOf(runs.map((r) => r.runId));
    expect(rows.find((r) => r.id === bad.runId)?.seq).toBe(bad.seq);
    for (const run of runs.slice(0, 7))
      expect(rows.find((r) => r.id === run.runId)?.seq).toBe(run.seq + 1);
  });
});
