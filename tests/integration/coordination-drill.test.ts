import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { startConversation } from "@/lib/runs/conversations";
import { queryRows } from "@/lib/runs/sql";
import { COORDINATION_DRILL_TABLES, coordinationDrillParts, EFFECTS_PER_RUN, MESH_DRILL_HOPS } from "../drill/coordination-team";
import { setupTestDatabase, testDb } from "../helpers/db";

/**
 * Crash drill for peer coordination (issue 12): 60 conversations, half on a mesh chain and half on
 * a hybrid one, while worker processes are SIGKILLed at random. Like the runtime's crash drill it
 * needs several processes on one database, so it runs on PostgreSQL only. Checks: nothing lost,
 * no side effect repeated, no gap or fork in any log, and every run within its hop bound.
 */
const PER_CHAIN = 30;
const WORKERS = 3;
const KILLS = 8;
const CHAINS = ["mesh-drill", "hybrid-drill"] as const;
const root = path.resolve(import.meta.dirname, "../..");

setupTestDatabase();

describe.runIf(process.env.DATABASE_URL)("coordination crash drill on PostgreSQL", () => {
  beforeAll(async () => {
    for (const statement of COORDINATION_DRILL_TABLES) await testDb().execute(statement);
  });

  it("loses nothing, repeats no side effect and keeps every mesh and hybrid run within its hops", { timeout: 180_000 }, async () => {
    const parts = coordinationDrillParts(testDb());
    for (let i = 0; i < PER_CHAIN; i++) {
      for (const chain of CHAINS) {
        await startConversation(testDb(), { message: `drill ${chain} ${i}`, apiKeyId: null, chain }, parts);
      }
    }
    const workers = new Set<ChildProcess>();
    const ready = new Set<ChildProcess>();
    const exited: Promise<unknown>[] = [];
    const spawnWorker = () => {
      // `node --import tsx` so that a SIGKILL hits the worker itself, not a wrapper.
      const child = spawn(process.execPath, ["--import", "tsx", "tests/drill/coordination-worker.ts"], {
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
    const deadline = Date.now() + 150_000;
    try {
      while ((await openRuns()) > 0) {
        if (Date.now() > deadline) throw new Error(`${await openRuns()} runs still open at the deadline`);
        await sleep(100 + Math.random() * 300);
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

    const expectedEffects = PER_CHAIN * (EFFECTS_PER_RUN["mesh-drill"] + EFFECTS_PER_RUN["hybrid-drill"]);
    const [totals] = await queryRows<Record<string, number>>(testDb(), sql`select
      (select count(*)::int from conversations where chain in ('mesh-drill', 'hybrid-drill')) as conversations,
      (select count(*)::int from conversations where chain in ('mesh-drill', 'hybrid-drill') and status = 'waiting_for_customer') as answered,
      (select count(*)::int from runs where chain in ('mesh-drill', 'hybrid-drill') and status <> 'completed') as unfinished_runs,
      (select count(*)::int from runs where chain in ('mesh-drill', 'hybrid-drill') and claims > 1) as interrupted_runs,
      (select count(*)::int from coord_effects) as effects,
      (select count(distinct key)::int from coord_effects) as distinct_effect_keys,
      (select count(*)::int from tool_ledger where tool = 'coord_effect' and status = 'completed') as ledger_completed,
      (select count(*)::int from runs where (checkpoint->'mesh'->>'hops')::int > ${MESH_DRILL_HOPS}) as over_hops,
      (select count(*)::int from runs where (checkpoint->'mesh'->>'hops')::int = ${MESH_DRILL_HOPS}) as full_hops,
      (select count(*)::int from run_events where type = 'completed' and data->>'bound' = 'max_hops') as hop_bound_hits`);
    const firstAttempts = await queryRows<{ key: string }>(testDb(), sql`
      select key from coord_requests where not repeated group by key having count(*) > 1`);
    const gaps = await queryRows<{ run_id: string }>(testDb(), sql`
      select e.run_id from run_events e join runs r on r.id = e.run_id where r.chain in ('mesh-drill', 'hybrid-drill')
      group by e.run_id, r.seq having count(*) <> max(e.seq) or min(e.seq) <> 1 or max(e.seq) <> r.seq`);
    const terminal = await queryRows<{ run_id: string }>(testDb(), sql`
      select r.id as run_id from runs r where r.chain in ('mesh-drill', 'hybrid-drill') and
        (select count(*) from run_events e where e.run_id = r.id and e.type = 'completed') <> 1`);
    // A peer published twice (a resumed step re-recording its message) would show as a second event.
    const republished = await queryRows<{ run_id: string }>(testDb(), sql`
      select run_id from run_events where type = 'published'
      group by run_id, data->>'group', data->>'topic', data->>'key', agent having count(*) > 1`);

    console.log(`coordination drill: ${kills} SIGKILLs, ${JSON.stringify(totals)}`);
    expect(kills).toBe(KILLS);
    expect(totals).toMatchObject({
      conversations: 2 * PER_CHAIN,
      answered: 2 * PER_CHAIN,
      unfinished_runs: 0,
      effects: expectedEffects,
      distinct_effect_keys: expectedEffects,
      ledger_completed: expectedEffects,
      over_hops: 0,
      full_hops: 2 * PER_CHAIN,
      hop_bound_hits: 0,
    });
    expect(totals!.interrupted_runs).toBeGreaterThan(0);
    expect(firstAttempts).toEqual([]);
    expect(gaps).toEqual([]);
    expect(terminal).toEqual([]);
    expect(republished).toEqual([]);
  });
});

async function openRuns(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(testDb(), sql`select count(*)::int as n from runs where chain in ('mesh-drill', 'hybrid-drill') and status = 'running'`);
  return row?.n ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
