import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/lib/runs/sql";
import {
  checkIntegrity,
  type DrillWorker,
  heldRuns,
  openRuns,
  requirePostgres,
  sleep,
  spawnDrillWorker,
  startDrillConversations,
} from "../drill/fleet";
import { setupTestDatabase, testDb } from "../helpers/db";
import { type Figure, figuresTable, recordDrill, sized } from "./report";

/**
 * Drill 3 (issue 10): a worker stalls (SIGSTOP) in the middle of its runs for longer than its
 * lease. Another worker reclaims them and finishes every one; then the stalled worker wakes up
 * (SIGCONT) and finishes the steps it was in the middle of. Each of those late commits must be
 * refused (ConcurrencyConflict: the lease and the seq moved on), so nothing it writes lands.
 */
const CONVERSATIONS = sized({ ci: 20, full: 100 });
const LEASE_MS = 1_500;
const STALLED_PACE_MS = 300; // its calls take 300–600 ms: the stop lands mid-step
const LATE_WRITES_WAIT_MS = 4_000;

setupTestDatabase();

describe("stalled-worker drill", () => {
  it("reclaims a stalled worker's runs and refuses its late writes", async () => {
    requirePostgres();
    const db = testDb();
    await startDrillConversations(db, CONVERSATIONS);
    const workers: DrillWorker[] = [];
    try {
      const stale = spawnDrillWorker({
        DRILL_CONCURRENCY: String(CONVERSATIONS),
        DRILL_LEASE_MS: String(LEASE_MS),
        DRILL_PACE_MS: String(STALLED_PACE_MS),
        DRILL_PACE_SPREAD: "1",
      });
      workers.push(stale);
      const staleId = await stale.ready;
      while ((await heldRuns(db, staleId)).length < CONVERSATIONS) await sleep(50);
      await sleep(STALLED_PACE_MS * 3);
      stale.child.kill("SIGSTOP");
      const stoppedAt = Date.now();
      const held = await heldRuns(db, staleId);

      const rescuer = spawnDrillWorker({ DRILL_CONCURRENCY: String(CONVERSATIONS), DRILL_LEASE_MS: String(LEASE_MS), DRILL_PACE_MS: "5" });
      workers.push(rescuer);
      const rescuerId = await rescuer.ready;
      const deadline = Date.now() + 120_000;
      while ((await openRuns(db)) > 0 && Date.now() < deadline) await sleep(100);
      const stalledMs = Date.now() - stoppedAt;
      // Only the stale worker may write from here on: the rescuer is gone.
      rescuer.child.kill("SIGKILL");
      await rescuer.exited;
      const before = await snapshot();
      const reclaimed = await queryRows<{ n: number }>(db, sql`
        select count(*)::int as n from runs where chain = 'drill' and claims >= 2 and id in ${held.length ? held.map((h) => h.id) : [""]}`);

      stale.child.kill("SIGCONT");
      await sleep(LATE_WRITES_WAIT_MS);
      const after = await snapshot();
      const refused = (stale.output().match(/run taken over by another writer/g) ?? []).length;
      const integrity = await checkIntegrity(db);

      const figures: Figure[] = [
        { figure: "runs held by the worker when it stalled", bound: `${CONVERSATIONS}`, measured: held.length, ok: held.length === CONVERSATIONS },
        { figure: "reclaimed by another worker", bound: `${held.length}`, measured: reclaimed[0]?.n ?? 0, ok: reclaimed[0]?.n === held.length },
        { figure: "completed (answered)", bound: `${CONVERSATIONS}`, measured: integrity.answered, ok: integrity.answered === CONVERSATIONS && integrity.lost === 0 },
        { figure: "late commits refused (ConcurrencyConflict)", bound: `${held.length} (one per run in mid-step)`, measured: refused, ok: refused === held.length },
        { figure: "double commits (late writes that landed)", bound: "0", measured: JSON.stringify(before) === JSON.stringify(after) ? 0 : "state changed", ok: JSON.stringify(before) === JSON.stringify(after) },
        { figure: "forks (gapped or twice-terminated event logs)", bound: "0", measured: integrity.forks, ok: integrity.forks === 0 },
        { figure: "duplicate side effects", bound: "0", measured: integrity.duplicateEffects, ok: integrity.duplicateEffects === 0 },
      ];
      const notes = `Stalled ${Math.round(stalledMs / 100) / 10} s (lease ${LEASE_MS} ms) while ${rescuerId.split(":").slice(1).join(":")} reclaimed its runs. A tool call the stalled worker was in the middle of still reaches the external system when it wakes up; only the idempotency key keeps that from a second effect (lib/runtime/README.md), so the drill's external system dedupes by key.`;
      recordDrill("stalled-worker", "Drill 3: a stalled worker", `${figuresTable(figures)}\n\n${notes}`);
      expect(figures.filter((f) => !f.ok)).toEqual([]);
    } finally {
      for (const w of workers) {
        w.child.kill("SIGCONT");
        w.child.kill("SIGKILL");
      }
      await Promise.all(workers.map((w) => w.exited));
    }
  });
});

/** Everything a commit writes: if a late write landed, one of these moved. */
async function snapshot() {
  const [row] = await queryRows<Record<string, number>>(testDb(), sql`select
    (select count(*)::int from run_events) as events,
    (select coalesce(sum(seq), 0)::int from runs) as seqs,
    (select count(*)::int from messages) as messages,
    (select count(*)::int from tool_ledger where status = 'completed') as ledger,
    (select count(*)::int from drill_effects) as effects,
    (select max(updated_at)::text from runs) as last_update`);
  return row;
}
