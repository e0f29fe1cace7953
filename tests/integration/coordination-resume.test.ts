import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { startConversation } from "@/lib/runs/conversations";
import { createRunLoop } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { type ModelRequest, runStateSchema } from "@/lib/runtime";
import {
  COORDINATION_DRILL_TABLES,
  CoordinationDrillModel,
  coordinationDrillParts,
  EFFECTS_PER_RUN,
  MESH_DRILL_HOPS,
} from "../drill/coordination-team";
import { setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";

/**
 * A mesh and a hybrid run survive a worker that dies mid-step after a peer's side effect: another
 * worker resumes from the checkpoint once the lease expires, the ledger replays the effect
 * instead of repeating it, hops stay within the bound, and the trace keeps its parts apart.
 * Runs on PGlite by default (and on PostgreSQL with DATABASE_URL).
 */
setupTestDatabase();

beforeAll(async () => {
  for (const statement of COORDINATION_DRILL_TABLES) await testDb().execute(statement);
});

/** Dies in the first model call it makes after the peer `alpha`'s tool result came back. */
function dyingAfterEffect() {
  const model = new CoordinationDrillModel();
  return {
    generate(request: ModelRequest) {
      if (request.agent.name === "alpha" && request.messages.at(-1)?.role === "tool")
        return Promise.reject(new Error("worker killed after the effect"));
      return model.generate(request);
    },
  };
}

async function crashThenResume(chain: "mesh-drill" | "hybrid-drill", stepsBeforeEffect: number) {
  const idle = coordinationDrillParts(testDb());
  const { id } = await startConversation(testDb(), { message: `resume ${chain}`, apiKeyId: null, chain }, idle);
  const [run] = await runsOf(id);
  const runId = run!.id;
  await testDb()
    .update(schema.runs)
    .set({ leaseOwner: "dead-worker", leaseExpiresAt: sql`now() + interval '300 milliseconds'` })
    .where(eq(schema.runs.id, runId));
  const dying = createRunLoop(testDb(), coordinationDrillParts(testDb(), dyingAfterEffect()), { owner: "dead-worker", leaseMs: 300 });
  for (let i = 0; i < stepsBeforeEffect; i++) await dying.step(runId);
  await expect(dying.step(runId)).rejects.toThrow("worker killed after the effect");
  const [applied] = await queryRows<{ n: number }>(
    testDb(),
    sql`select count(*)::int as n from coord_effects where key like ${`${runId}:%`}`,
  );
  const before = applied!.n;

  const worker = testWorker(idle, 2_000);
  await worker.start();
  const settled = await settledConversation(id).finally(() => worker.stop());
  const [after] = await runsOf(id);
  const state = runStateSchema.parse(after!.checkpoint);
  const events = await eventsOf(runId);
  const effects = await queryRows<{ key: string }>(testDb(), sql`select key from coord_effects where key like ${`${runId}:%`}`);
  const spans = await testDb().select().from(schema.spans).where(eq(schema.spans.runId, runId));
  return { settled, after: after!, state, events, effects, spans, before };
}

describe("coordination chains resume after a crash", () => {
  it.each([
    ["mesh-drill", 1],
    ["hybrid-drill", 2],
  ] as const)("%s: completes, replays the peer's effect, stays within its hops", async (chain, stepsBeforeEffect) => {
    const { settled, after, state, events, effects, spans, before } = await crashThenResume(chain, stepsBeforeEffect);
    // The worker died after alpha's effect was applied, before its step committed.
    expect(before).toBe(1);

    expect(settled.status).toBe("waiting_for_customer");
    expect(after).toMatchObject({ status: "completed", claims: 1 });
    expect(effects).toHaveLength(EFFECTS_PER_RUN[chain]);
    expect(new Set(effects.map((e) => e.key)).size).toBe(effects.length);
    const alphaCall = events.find((e) => e.type === "tool_call" && e.agent === "alpha");
    expect(alphaCall?.data).toMatchObject({ replayed: true });
    expect(state.mesh?.hops).toBe(MESH_DRILL_HOPS);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === "completed")).toHaveLength(1);
    expect(events.filter((e) => e.type === "sub_problem_skipped")).toHaveLength(1);
    const parts = new Set(spans.map((s) => (s.attributes as Record<string, unknown>)["switchyard.coordination"]));
    expect(parts.has("peer_group")).toBe(true);
    expect(parts.has("orchestrated")).toBe(chain === "hybrid-drill");
  });
});
