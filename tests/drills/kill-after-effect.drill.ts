import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/lib/runs/sql";
import type { DieAt } from "../drill/drill-team";
import {
  checkIntegrity,
  type DrillWorker,
  openRuns,
  requirePostgres,
  sleep,
  spawnDrillWorker,
  startDrillConversations,
} from "../drill/fleet";
import { setupTestDatabase, testDb } from "../helpers/db";
import { type Figure, figuresTable, recordDrill, sized } from "./report";

/**
 * Drill 2 (issue 10): a worker dies right after a tool's external effect and before its step
 * commits, once per conversation. Workers take one run at a time and kill themselves (SIGKILL,
 * worker-process.ts) at the first attempt of each effect, alternating between the two windows of
 * lib/runtime/README.md:
 *
 * - `after-effect`: the external system applied the effect, the ledger entry is still `started`.
 *   The next worker re-runs the tool with `ctx.repeated`, and the external system drops the
 *   repeat by its idempotency key: two requests, one effect.
 * - `after-record`: the ledger recorded the outcome, the step did not commit. The next worker
 *   re-executes the step from the same checkpoint and replays the ledger: one request, one effect.
 */
const CONVERSATIONS = sized({ ci: 30, full: 200 });
const WORKERS = 6;
const env = (dieAt: DieAt) => ({ DRILL_CONCURRENCY: "1", DRILL_LEASE_MS: "1000", DRILL_PACE_MS: "2", DRILL_DIE_AT: dieAt });

setupTestDatabase();

describe("kill-after-effect drill", () => {
  it("applies every effect exactly once when the worker dies between effect and commit", async () => {
    requirePostgres();
    const db = testDb();
    await startDrillConversations(db, CONVERSATIONS);
    const started = Date.now();

    const deaths: Record<DieAt, number> = { "after-effect": 0, "after-record": 0 };
    const otherExits: string[] = [];
    const workers = new Set<DrillWorker>();
    let spawned = 0;
    let running = true;
    const spawn = () => {
      const dieAt: DieAt = spawned++ % 2 === 0 ? "after-effect" : "after-record";
      const w = spawnDrillWorker(env(dieAt));
      workers.add(w);
      w.child.on("exit", (code, signal) => {
        workers.delete(w);
        if (!running) return;
        if (signal === "SIGKILL") deaths[dieAt] += 1;
        else otherExits.push(`${code ?? signal}`);
        spawn();
      });
    };
    for (let i = 0; i < WORKERS; i++) spawn();

    const deadline = Date.now() + sized({ ci: 150_000, full: 1_500_000 });
    try {
      while ((await openRuns(db)) > 0 && Date.now() < deadline) await sleep(250);
    } finally {
      running = false;
      for (const w of workers) w.child.kill("SIGKILL");
      await Promise.all([...workers].map((w) => w.exited));
    }
    const wallMs = Date.now() - started;

    const stillOpen = await openRuns(db);
    const integrity = await checkIntegrity(db);
    const perKey = await queryRows<{ requests: number; repeated: number; effects: number }>(db, sql`
      select count(*)::int as requests, count(*) filter (where repeated)::int as repeated,
        (select count(*)::int from drill_effects f where f.key = q.key) as effects
      from drill_requests q group by key`);
    const deduped = perKey.filter((k) => k.requests === 2 && k.repeated === 1 && k.effects === 1).length;
    const replayed = perKey.filter((k) => k.requests === 1 && k.effects === 1).length;
    const kills = deaths["after-effect"] + deaths["after-record"];
    const exactlyOnce = perKey.filter((k) => k.effects === 1).length;
    const figures: Figure[] = [
      { figure: "kills between effect and commit", bound: `${CONVERSATIONS}`, measured: kills, ok: kills === CONVERSATIONS && otherExits.length === 0 },
      { figure: "effects applied exactly once", bound: `${CONVERSATIONS} of ${CONVERSATIONS}`, measured: `${exactlyOnce} of ${perKey.length}`, ok: exactlyOnce === CONVERSATIONS && perKey.length === CONVERSATIONS },
      { figure: "duplicate side effects", bound: "0", measured: integrity.duplicateEffects, ok: integrity.duplicateEffects === 0 },
      { figure: "lost conversations", bound: "0", measured: integrity.lost, ok: integrity.lost === 0 },
      { figure: "died after effect → repeat dropped by key", bound: `${deaths["after-effect"]} (kills in that window)`, measured: deduped, ok: deduped === deaths["after-effect"] },
      { figure: "died after ledger record → replayed, tool not called", bound: `${deaths["after-record"]} (kills in that window)`, measured: replayed, ok: replayed === deaths["after-record"] },
      { figure: "runs still open at the deadline", bound: "0", measured: stillOpen, ok: stillOpen === 0 },
      { figure: "forked or gapped event logs", bound: "0", measured: integrity.forks, ok: integrity.forks === 0 },
    ];
    const notes = `${WORKERS} worker processes at a time, one run each; wall time ${Math.round(wallMs / 1000)} s.${otherExits.length ? ` Unexpected worker exits: ${otherExits.join(", ")}.` : ""}`;
    recordDrill("kill-after-effect", "Drill 2: kill between effect and record", `${figuresTable(figures)}\n\n${notes}`);

    expect(figures.filter((f) => !f.ok)).toEqual([]);
  });
});
