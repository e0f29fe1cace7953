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
    // A leftover step at the seq the step will write: its insert violates the log's key.
    await testDb().execute(sql`insert into run_steps (run_id, seq, events)
      values (${bad.runId}, ${bad.seq + 1}, '[]'::jsonb)`);
    const results = await Promise.allSettled(runs.map((run, i) => stepOf(run, `agent-${i}`)()));
    expect(results.slice(0, 7).map((r) => r.status)).toEqual(Array(7).fill("fulfilled"));
    expect(results[7]?.status).toBe("rejected");
    const rows = await rowsOf(runs.map((r) => r.runId));
    expect(rows.find((r) => r.id === bad.runId)?.seq).toBe(bad.seq);
    for (const run of runs.slice(0, 7))
      expect(rows.find((r) => r.id === run.runId)?.seq).toBe(run.seq + 1);
  });
});

/** The commit that ends a run: completed with a reply, or failed (which opens an inbox entry). */
function settleOf(run: { runId: string; seq: number; state: RunState }, outcome: "completed" | "failed") {
  const seq = run.seq + 1;
  const base = { runId: run.runId, seq, at: Date.now(), agent: null, agentVersion: null };
  const event: RunEvent =
    outcome === "completed"
      ? { ...base, type: "completed", output: `answer for ${run.runId}`, partial: false }
      : { ...base, type: "failed", error: { category: "bug", message: "boom" } };
  const checkpoint: RunState = {
    ...run.state,
    seq,
    status: outcome,
    output: outcome === "completed" ? `answer for ${run.runId}` : undefined,
  };
  return () => new PgRunStore(testDb()).commitStep(run.runId, run.seq, [event], checkpoint);
}

describe("group commit of settling and new runs", () => {
  it("settles runs that finish together in fewer transactions, each with its reply, status, root span and inbox entry", async () => {
    const runs = await freshRuns(10);
    await Promise.all(runs.map((run, i) => settleOf(run, i < 7 ? "completed" : "failed")()));
    const rows = await queryRows<{
      id: string;
      tx: string;
      status: string;
      lease_owner: string | null;
      ended: boolean;
      conversation: string;
      replies: string[];
      escalations: number;
      root: string;
    }>(
      testDb(),
      sql`select r.id, r.xmin::text as tx, r.status, r.lease_owner, r.ended_at is not null as ended,
            c.status::text as conversation,
            array(select m.content from messages m where m.run_id = r.id) as replies,
            (select count(*)::int from escalations e where e.run_id = r.id) as escalations,
            (select s.status from spans s where s.trace_id = r.trace_id and s.parent_span_id is null) as root
          from runs r join conversations c on c.id = r.conversation_id
          where r.id in (select jsonb_array_elements_text(${JSON.stringify(runs.map((r) => r.runId))}::jsonb))`,
    );
    expect(rows).toHaveLength(10);
    for (const [i, run] of runs.entries()) {
      const row = rows.find((r) => r.id === run.runId)!;
      expect(row.ended).toBe(true);
      expect(row.lease_owner).toBeNull();
      if (i < 7) {
        expect(row).toMatchObject({ status: "completed", conversation: "waiting_for_customer", escalations: 0, root: "ok" });
        expect(row.replies).toEqual([`answer for ${run.runId}`]);
      } else {
        expect(row).toMatchObject({ status: "failed", conversation: "failed", escalations: 1, root: "error" });
        expect(row.replies).toHaveLength(1);
      }
    }
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(10);
  });

  it("creates runs that start together in fewer transactions, and refuses a second creation of the same run", async () => {
    const parts = instantParts();
    const conversations = await Promise.all(
      Array.from({ length: 8 }, (_, i) => startConversation(testDb(), { message: `hello (${i})`, apiKeyId: null }, parts)),
    );
    const template = (await new PgRunStore(testDb()).loadCheckpoint((await runsOf(conversations[0]!.id))[0]!.id))!.state;
    const created = conversations.map((c, i) => {
      const runId = `run_group_${i}_${Date.now()}`;
      const event: RunEvent = { runId, seq: 1, at: Date.now(), agent: null, agentVersion: null, type: "run_started", chain: template.chain, input: "hi", versions: {} };
      const store = new PgRunStore(testDb(), { newRun: { conversationId: c.id, traceId: `${i}`.padStart(32, "a") } });
      return { runId, commit: () => store.commitStep(runId, 0, [event], { ...template, runId, seq: 1, status: "running" }) };
    });
    await Promise.all(created.map((c) => c.commit()));
    await expect(created[0]!.commit()).rejects.toBeInstanceOf(ConcurrencyConflict);
    const rows = await queryRows<{ id: string; tx: string; events: number; root: number }>(
      testDb(),
      sql`select r.id, r.xmin::text as tx,
            (select count(*)::int from run_events e where e.run_id = r.id) as events,
            (select count(*)::int from spans s where s.trace_id = r.trace_id and s.kind = 'run') as root
          from runs r where r.id in (select jsonb_array_elements_text(${JSON.stringify(created.map((c) => c.runId))}::jsonb))`,
    );
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row).toMatchObject({ events: 1, root: 1 });
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(8);
  });
});
