import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { fallbacksPerRun } from "@/lib/rollouts/breaker-trips";
import { setupTestDatabase, testDb } from "../helpers/db";
import { type EventRow, insertEvents } from "../helpers/runtime";

setupTestDatabase();

const since = new Date(Date.now() - 60_000);

/** A settled live run of `general@version` with `fallbacks` fallback events of that agent. */
async function run(id: string, version: number, fallbacks: number, opts: { priority?: number; at?: Date } = {}) {
  const at = opts.at ?? new Date();
  await testDb().insert(schema.conversations).values({ id: `cnv_${id}`, status: "resolved", chain: "support" });
  await testDb().insert(schema.runs).values({
    id,
    conversationId: `cnv_${id}`,
    chain: "support",
    status: "completed",
    seq: fallbacks + 1,
    checkpoint: { versions: { general: version, triage: 1 } },
    traceId: id.padEnd(32, "0"),
    priority: opts.priority ?? 0,
    agents: ["triage", "general"],
    createdAt: at,
  });
  const events: EventRow[] = [
    { runId: id, seq: 1, type: "run_started", agent: null, agentVersion: null, at, data: {} },
  ];
  for (let i = 0; i < fallbacks; i++) {
    events.push({ runId: id, seq: i + 2, type: "fallback", agent: "general", agentVersion: version, at, data: {} });
  }
  await insertEvents(events);
}

describe("breaker trips per run for the rollout guard", () => {
  it("divides an arm's fallbacks by its own settled live runs, version by version", async () => {
    await run("run_a1", 2, 3);
    await run("run_a2", 2, 0);
    await run("run_b1", 1, 1);
    await run("run_b2", 1, 0);
    await run("run_b3", 1, 0);
    await run("run_b4", 1, 0);
    // Neither batch work nor runs from before the window count.
    await run("run_batch", 2, 5, { priority: 10 });
    await run("run_old", 2, 5, { at: new Date(Date.now() - 3_600_000) });

    const trips = fallbacksPerRun(testDb());
    expect(await trips("general", 2, since)).toBeCloseTo(1.5);
    expect(await trips("general", 1, since)).toBeCloseTo(0.25);
  });

  it("has no reading for an arm without runs, so the guard skips the signal", async () => {
    expect(await fallbacksPerRun(testDb())("general", 9, since)).toBeUndefined();
  });
});
