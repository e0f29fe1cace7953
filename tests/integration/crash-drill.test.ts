import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { startConversation } from "@/lib/runs/conversations";
import { queryRows } from "@/lib/runs/sql";
import { DRILL_TABLES, drillParts } from "../drill/drill-team";
import { setupTestDatabase, testDb } from "../helpers/db";

/**
 * Crash drill (issue 3): 200 conversations through a 4-stage chain with a side-effecting tool while
 * worker processes are SIGKILLed at random, again and again. It needs several processes sharing
 * one database, so it runs on PostgreSQL only: a PGlite directory belongs to a single process.
 * CI runs `npm test` with DATABASE_URL set, so the drill runs there on every change.
 */
const CONVERSATIONS = 200;
const WORKERS = 3;
const KILLS = 20;
const root = path.resolve(import.meta.dirname, "../..");

setupTestDatabase();

describe.runIf(process.env.DATABASE_URL)("crash drill on PostgreSQL", () => {
  beforeAll(async () => {
    await testDb().execute(DRILL_TABLES);
  });

  it("loses nothing, repeats no side effect and leaves no gap or fork, with workers killed at random", { timeout: 240_000 }, async () => {
    const parts = drillParts(testDb());
    for (let i = 0; i < CONVERSATIONS; i++) {
      await startConversation(testDb(), { message: `drill ${i}`, apiKeyId: null, chain: "drill" }, parts);
    }
    const workers = new Set<ChildProcess>();
    const ready = new Set<ChildProcess>();
    const exited: Promise<unknown>[] = [];
    const spawnWorker = () => {
      // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child process, so a
      // SIGKILL would hit only the wrapper and leave the real worker running.
      const child = spawn(process.execPath, ["--import", "tsx", "tests/drill/worker-process.ts"], {
        cwd: root,
        env: { ...process.env },
        stdio: ["ignore", "pipe", "inherit"],
      });
      workers.add(child);
      child.stdout?.on("data", () => ready.add(child));
      exited.push(new Promise((resolve) => child.on("exit", resolve)));
      child.on("exit", () => {
        workers.delete(child);
        ready.delete(child);
      });
    };
    for (let i = 0; i < WORKERS; i++) spawnWorker();

    let kills = 0;
    const deadline = Date.now() + 200_000;
    try {
      while ((await openRuns()) > 0) {
        if (Date.now() > deadline) throw new Error(`${await openRuns()} runs still open at the deadline`);
        await sleep(150 + Math.random() * 450);
        // Only a worker that is up and claiming can be caught in the middle of a run.
        if (kills < KILLS && ready.size > 0) {
          const victim = [...ready][Math.floor(Math.random() * ready.size)]!;
          victim.kill("SIGKILL");
          ready.delete(victim);
          kills += 1;
          spawnWorker();
        }
      }
    } finally {
      for (const w of workers) w.kill("SIGKILL");
      await Promise.all(exited);
    }

    const [totals] = await queryRows<Record<string, number>>(testDb(), sql`select
      (select count(*)::int from conversations where chain = 'drill') as conversations,
      (select count(*)::int from conversations where chain = 'drill' and status = 'waiting_for_customer') as answered,
      (select count(*)::int from runs where chain = 'drill' and status <> 'completed') as unfinished_runs,
      (select count(*)::int from runs where chain = 'drill' and claims > 1) as interrupted_runs,
      (select count(*)::int from drill_effects) as effects,
      (select count(distinct key)::int from drill_effects) as distinct_effect_keys,
      (select count(*)::int from drill_requests) as requests,
      (select count(*)::int from tool_ledger where tool = 'apply_effect' and status = 'completed') as ledger_completed`);
    const firstAttempts = await queryRows<{ key: string; n: number }>(testDb(), sql`
      select key, count(*)::int as n from drill_requests where not repeated group by key having count(*) > 1`);
    const gaps = await queryRows<{ run_id: string }>(testDb(), sql`
      select e.run_id from run_events e join runs r on r.id = e.run_id where r.chain = 'drill'
      group by e.run_id, r.seq having count(*) <> max(e.seq) or min(e.seq) <> 1 or max(e.seq) <> r.seq`);
    const terminal = await queryRows<{ run_id: string }>(testDb(), sql`
      select r.id as run_id from runs r where r.chain = 'drill' and
        (select count(*) from run_events e where e.run_id = r.id and e.type = 'completed') <> 1`);

    console.log(`crash drill: ${kills} SIGKILLs, ${JSON.stringify(totals)}`);
    expect(kills).toBe(KILLS);
    expect(totals).toMatchObject({
      conversations: CONVERSATIONS,
      answered: CONVERSATIONS,
      unfinished_runs: 0,
      effects: CONVERSATIONS,
      distinct_effect_keys: CONVERSATIONS,
      ledger_completed: CONVERSATIONS,
    });
    expect(totals!.interrupted_runs).toBeGreaterThan(0);
    expect(firstAttempts).toEqual([]);
    expect(gaps).toEqual([]);
    expect(terminal).toEqual([]);
  });
});

async function openRuns(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(testDb(), sql`select count(*)::int as n from runs where chain = 'drill' and status = 'running'`);
  return row?.n ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
