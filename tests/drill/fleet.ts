import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { lastCommittedSeq } from "@/lib/runs/commit-rows";
import { startConversation } from "@/lib/runs/conversations";
import { queryRows } from "@/lib/runs/sql";
import { DRILL_TABLES, drillParts } from "./drill-team";

/**
 * The process side of the crash drills (tests/drills): worker processes to kill or stall, and the
 * integrity checks every such drill ends with. Several processes share one database, so these
 * drills need PostgreSQL: a PGlite directory belongs to a single process.
 */
const root = path.resolve(import.meta.dirname, "../..");
const spawned = new Set<ChildProcess>();
// A drill stopped half-way (a timeout, Ctrl-C) must not leave its workers running.
process.on("exit", () => {
  for (const child of spawned) child.kill("SIGKILL");
});

export interface DrillWorker {
  child: ChildProcess;
  /** The worker id (runs.lease_owner) once it is up and claiming. */
  ready: Promise<string>;
  exited: Promise<void>;
  /** Everything it wrote on stdout (its JSON log lines). */
  output: () => string;
}

/** Env for worker-process.ts (its header lists the DRILL_* settings). */
export function spawnDrillWorker(env: Record<string, string> = {}): DrillWorker {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child process, so a
  // signal would hit only the wrapper and leave the real worker running.
  const child = spawn(process.execPath, ["--import", "tsx", "tests/drill/worker-process.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  spawned.add(child);
  child.on("exit", () => spawned.delete(child));
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const id = /^ready (\S+)$/m.exec(out)?.[1];
      if (id) resolve(id);
    });
    child.on("exit", () => reject(new Error("worker exited before it was ready")));
  });
  ready.catch(() => {});
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, ready, exited, output: () => out };
}

export function requirePostgres(): void {
  if (!process.env.DATABASE_URL) {
    throw new Error("This drill runs worker processes against one database: set DATABASE_URL to a PostgreSQL server");
  }
}

export async function startDrillConversations(db: Database, count: number): Promise<void> {
  await db.execute(DRILL_TABLES);
  const parts = drillParts(db);
  for (let i = 0; i < count; i++) {
    await startConversation(db, { message: `drill ${i}`, apiKeyId: null, chain: "drill" }, parts);
  }
}

export async function openRuns(db: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from runs where chain = 'drill' and status = 'running'`);
  return row?.n ?? 0;
}

/** Runs a dead worker still held, with the step (seq) each had committed: they were interrupted mid-run. */
export async function heldRuns(db: Database, workerId: string): Promise<Array<{ id: string; seq: number }>> {
  return queryRows<{ id: string; seq: number }>(db, sql`
    select r.id, ${lastCommittedSeq} as seq
    from runs r where r.chain = 'drill' and r.status = 'running' and r.lease_owner = ${workerId}`);
}

export interface Integrity {
  conversations: number;
  answered: number;
  unfinished: number;
  /** Conversations not answered, with no effect, or whose run did not complete exactly once. */
  lost: number;
  /** Effects beyond one per key, plus keys a first attempt reached twice. */
  duplicateEffects: number;
  /** Runs whose events have a gap, do not end at the run's seq, or hold two terminal events. */
  forks: number;
  effects: number;
  ledgerCompleted: number;
  /** Requests that reached the external system, and those that were repeats. */
  requests: number;
  repeatedRequests: number;
}

/** What every crash drill asserts at the end: nothing lost, nothing twice, no fork. */
export async function checkIntegrity(db: Database): Promise<Integrity> {
  const [t] = await queryRows<Record<string, number>>(db, sql`select
    (select count(*)::int from conversations where chain = 'drill') as conversations,
    (select count(*)::int from conversations where chain = 'drill' and status = 'waiting_for_customer') as answered,
    (select count(*)::int from runs where chain = 'drill' and status <> 'completed') as unfinished,
    (select count(*)::int from runs r join conversations c on c.id = r.conversation_id where r.chain = 'drill' and (
      r.status <> 'completed' or c.status <> 'waiting_for_customer'
      or not exists (select 1 from drill_effects f where split_part(f.key, ':', 1) = r.id)
      or (select count(*) from run_events e where e.run_id = r.id and e.type = 'completed') <> 1)) as lost,
    (select count(*)::int - count(distinct key)::int from drill_effects) as extra_effects,
    (select count(*)::int from (select key from drill_requests where not repeated group by key having count(*) > 1) k) as twice_first,
    (select count(*)::int from drill_effects) as effects,
    (select count(*)::int from drill_requests) as requests,
    (select count(*)::int from drill_requests where repeated) as repeated_requests,
    (select count(*)::int from tool_ledger where tool = 'apply_effect' and status = 'completed') as ledger_completed`);
  const [f] = await queryRows<{ forks: number }>(db, sql`select count(*)::int as forks from (
    select e.run_id from run_events e join runs r on r.id = e.run_id where r.chain = 'drill'
    group by e.run_id, r.seq having count(*) <> max(e.seq) or min(e.seq) <> 1 or max(e.seq) <> r.seq) g`);
  const n = (v: number | undefined) => v ?? Number.NaN;
  return {
    conversations: n(t?.conversations),
    answered: n(t?.answered),
    unfinished: n(t?.unfinished),
    lost: n(t?.lost),
    duplicateEffects: n(t?.extra_effects) + n(t?.twice_first),
    forks: n(f?.forks),
    effects: n(t?.effects),
    ledgerCompleted: n(t?.ledger_completed),
    requests: n(t?.requests),
    repeatedRequests: n(t?.repeated_requests),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
