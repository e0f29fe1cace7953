import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/lib/runs/sql";
import {
  checkIntegrity,
  type DrillWorker,
  heldRuns,
  openRuns,
  percentile,
  requirePostgres,
  sleep,
  spawnDrillWorker,
  startDrillConversations,
} from "../drill/fleet";
import { setupTestDatabase, testDb } from "../helpers/db";
import { type Figure, figuresTable, recordDrill, sized } from "./report";

/**
 * Drill 1 (issue 10): conversations through a 4-stage chain with a side-effecting tool on
 * PostgreSQL, three worker processes at a time, each SIGKILLed at a random moment of its life,
 * until every conversation has been interrupted at least once and MIN_KILLS kills were made; then
 * the survivors finish the work.
 *
 * Every run must be interrupted, so none may finish before that: the last stage's model call waits
 * while the drill holds it (drill_control), however slow the machine, and the earlier steps run
 * freely, so kills land on every step. Each worker has room for every run, so a dead worker's runs
 * wait for their leases to expire, never for a free slot or a replacement process to start.
 * "Interrupted" is measured, not assumed: after each kill, the runs whose lease the dead worker
 * still held while running. Resume time: the kill to the moment a live worker holds the run.
 */
const CONVERSATIONS = sized({ ci: 100, full: 1_000 });
const MIN_KILLS = sized({ ci: 6, full: 20 });
const WORKERS = 3;
const LEASE_MS = 1_500;
const LIFE_MS = [300, 3_000] as const;
const RESUME_P99_BOUND_MS = 10_000;
// Slow enough that runs are still on their way to the held last stage when the first workers die
// (their lives start at their first commit): on a quiet machine 20 ms calls got every run there
// before the first kill, and every kill hit the same checkpoint; with 150 ms, once creation and
// settlement commits were grouped too, a CI run's six kills hit only two checkpoints.
const PACE_MS = 400;
const workerEnv = {
  DRILL_CONCURRENCY: String(CONVERSATIONS),
  DRILL_LEASE_MS: String(LEASE_MS),
  DRILL_PACE_MS: String(PACE_MS),
  DRILL_HOLD_LAST_STAGE: "1",
};

setupTestDatabase();

describe("crash-resume drill", () => {
  it("loses nothing and repeats no side effect with every conversation's worker SIGKILLed", async () => {
    requirePostgres();
    const db = testDb();
    await startDrillConversations(db, CONVERSATIONS);
    await db.execute(sql`insert into drill_control (hold) values (true)`);
    const started = Date.now();

    const interrupted = new Map<string, number[]>(); // run → kill times
    const workers = new Set<DrillWorker>();
    const live = new Set<DrillWorker>(); // up and claiming, not about to be killed
    const awaitingResume = new Map<string, { at: number; owner: string }>();
    const resumeMs: number[] = [];
    const atSeq = new Set<number>(); // the run's seq (steps committed) when a kill hit it
    let killing = true;
    let kills = 0;
    const spawn = () => {
      const w = spawnDrillWorker(workerEnv);
      workers.add(w);
      void w.exited.then(() => workers.delete(w));
      void w.exited.then(() => live.delete(w));
      void w.ready.then(async (id) => {
        live.add(w);
        // Its life counts from its first commit: starting up, connecting and loading a thousand
        // checkpoints can take longer than a life on a loaded machine, and a worker killed before
        // it commits anything would interrupt runs without ever moving one.
        // Or from two seconds after it took runs: once every run waits at the held last stage, no
        // commit can come, and a worker waiting for one would never be killed.
        let first: number | undefined;
        let tookAt = 0;
        for (;;) {
          const held = await heldRuns(db, id);
          const progress = held.reduce((n, r) => n + r.seq, 0);
          if (!killing || (first !== undefined && (progress > first || Date.now() - tookAt > 2_000))) break;
          if (held.length > 0 && first === undefined) {
            first = progress;
            tookAt = Date.now();
          }
          await sleep(50);
        }
        await sleep(LIFE_MS[0] + Math.random() * (LIFE_MS[1] - LIFE_MS[0]));
        // Someone must be up to take its runs over: a resume should wait for the lease, not for
        // a new process to start (which on a loaded machine takes seconds).
        while (killing && ![...live].some((other) => other !== w)) await sleep(20);
        if (!killing) return;
        live.delete(w);
        const at = Date.now();
        w.child.kill("SIGKILL");
        await w.exited;
        kills += 1;
        // A statement the server had already received may still commit: only what the dead
        // worker still held afterwards was interrupted.
        await sleep(100);
        for (const run of await heldRuns(db, id)) {
          interrupted.set(run.id, [...(interrupted.get(run.id) ?? []), at]);
          atSeq.add(run.seq);
          awaitingResume.set(run.id, { at, owner: id });
        }
        if (killing) spawn();
      }, () => {});
    };
    for (let i = 0; i < WORKERS; i++) spawn();

    const deadline = Date.now() + Number(process.env.DRILL_DEADLINE_MS ?? sized({ ci: 150_000, full: 1_500_000 }));
    try {
      for (let tick = 0; (await openRuns(db)) > 0 && Date.now() < deadline; tick++) {
        if (killing && interrupted.size >= CONVERSATIONS && kills >= MIN_KILLS) {
          killing = false;
          await db.execute(sql`update drill_control set hold = false`);
        }
        await collectResumes(awaitingResume, resumeMs);
        if (tick % 50 === 0) console.log(`crash-resume: ${kills} kills, ${interrupted.size} interrupted, ${await openRuns(db)} open`);
        await sleep(100);
      }
    } finally {
      killing = false;
      for (const w of workers) w.child.kill("SIGKILL");
      await Promise.all([...workers].map((w) => w.exited));
    }
    const wallMs = Date.now() - started;

    await collectResumes(awaitingResume, resumeMs);
    const integrity = await checkIntegrity(db);
    const p99 = percentile(resumeMs, 99);
    const figures: Figure[] = [
      { figure: "conversations", bound: `${CONVERSATIONS}`, measured: integrity.conversations, ok: integrity.conversations === CONVERSATIONS },
      { figure: "interrupted at least once", bound: `all ${CONVERSATIONS}`, measured: interrupted.size, ok: interrupted.size === CONVERSATIONS },
      { figure: "lost conversations", bound: "0", measured: integrity.lost, ok: integrity.lost === 0 },
      { figure: "duplicate side effects", bound: "0", measured: integrity.duplicateEffects, ok: integrity.duplicateEffects === 0 },
      { figure: "forked or gapped event logs", bound: "0", measured: integrity.forks, ok: integrity.forks === 0 },
      { figure: "p99 time to resume (kill → claimed by a live worker)", bound: `≤ ${RESUME_P99_BOUND_MS} ms (lease ${LEASE_MS} ms)`, measured: `${Math.round(p99)} ms`, ok: awaitingResume.size === 0 && p99 <= RESUME_P99_BOUND_MS },
      { figure: "SIGKILLs", bound: `≥ ${MIN_KILLS}`, measured: kills, ok: kills >= MIN_KILLS },
      { figure: "distinct seqs (steps committed) hit by a kill", bound: "≥ 3", measured: [...atSeq].sort((a, b) => a - b).join(", "), ok: atSeq.size >= 3 },
    ];
    const notes = [
      `${WORKERS} worker processes at a time (concurrency ${workerEnv.DRILL_CONCURRENCY}, lease ${LEASE_MS} ms), each killed ${LIFE_MS[0]}–${LIFE_MS[1]} ms after its first commit (and only while another worker was up); model and tool calls take ${PACE_MS}–${PACE_MS * 6} ms.`,
      `${sumInterruptions(interrupted)} interruptions; median resume ${Math.round(percentile(resumeMs, 50))} ms; wall time ${Math.round(wallMs / 1000)} s.`,
      `${integrity.effects} effects, ${integrity.requests} requests to the external system (${integrity.repeatedRequests} marked repeated), ${integrity.ledgerCompleted} completed ledger entries.`,
    ];
    recordDrill("crash-resume", "Drill 1: crash and resume", `${figuresTable(figures)}\n\n${notes.join("\n")}`);

    expect(figures.filter((f) => !f.ok)).toEqual([]);
    expect(integrity.effects).toBe(CONVERSATIONS);
    expect(integrity.ledgerCompleted).toBe(CONVERSATIONS);
  });
});

function sumInterruptions(interrupted: Map<string, number[]>): number {
  return [...interrupted.values()].reduce((n, kills) => n + kills.length, 0);
}

/**
 * A run resumes when a live worker holds its lease (or it finished). Claims are polled (every
 * ~100 ms) rather than read from the next commit: during the kill phase the drill holds the last
 * stage's commits back on purpose.
 */
async function collectResumes(awaiting: Map<string, { at: number; owner: string }>, into: number[]): Promise<void> {
  if (awaiting.size === 0) return;
  const rows = await queryRows<{ id: string; lease_owner: string | null; status: string }>(testDb(), sql`
    select id, lease_owner, status from runs where id in ${[...awaiting.keys()]}`);
  const now = Date.now();
  for (const r of rows) {
    const killed = awaiting.get(r.id);
    if (!killed) continue;
    if (r.status !== "running" || (r.lease_owner !== null && r.lease_owner !== killed.owner)) {
      into.push(now - killed.at);
      awaiting.delete(r.id);
    }
  }
}
