import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { listRollouts, startRollout } from "@/lib/dal/rollouts";
import { fallbacksPerRun } from "@/lib/rollouts/breaker-trips";
import { prepareComparison } from "@/lib/rollouts/comparison";
import { BASELINE_MS, RolloutGuard } from "@/lib/rollouts/guard-runner";
import { startConversation } from "@/lib/runs/conversations";
import { createTestUser, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { recordQueries } from "../helpers/query-counter";
import { insertVersion, rolloutParts } from "../helpers/rollouts";
import { settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

let admin: TestUser;
let engineer: TestUser;

beforeAll(async () => {
  admin = await createTestUser("admin");
  engineer = await createTestUser("engineer");
});

async function canary(agent: string) {
  await insertVersion(agent, 2, `A new version of ${agent}.`);
  return startRollout({ ...admin, name: "Admin" }, { agent, canaryVersion: 2, stages: [50, 100], minSample: 50 });
}

describe("rollouts page", () => {
  it("shows the guard's stored reading, in the same statements however many rollouts run", async () => {
    const first = await canary("general");
    // Some traffic on both arms, so the stored reading is not all zeros.
    const parts = rolloutParts();
    const worker = testWorker(parts);
    await worker.start();
    const ids = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await startConversation(testDb(), { message: `Do you ship to Canada? (${i})`, apiKeyId: null }, parts)).id);
    }
    for (const id of ids) await settledConversation(id);
    await worker.stop();

    signInAs(engineer.id);
    const before = await recordQueries(() => listRollouts());
    expect(before.result[0]?.reading).toBeNull();

    const guard = new RolloutGuard(testDb(), { breakerTrips: fallbacksPerRun(testDb()) });
    await guard.tick();
    const one = await recordQueries(() => listRollouts());
    await canary("technical");
    await canary("billing");
    await guard.tick();
    const three = await recordQueries(() => listRollouts());
    console.info(`rollouts page statements: 1 running rollout ${one.queries.length}, 3 running rollouts ${three.queries.length}`);
    expect(three.result.filter((r) => r.status === "running")).toHaveLength(3);
    expect(three.queries.length).toBe(one.queries.length);
    // Nothing but the rollouts, their decisions and the session lookup: no scan of the runs.
    expect(three.queries.every((q) => !q.sql.includes('"runs"') && !q.sql.includes(" runs "))).toBe(true);

    const shown = three.result.find((r) => r.id === first)!;
    const [row] = await testDb().select().from(schema.rollouts).where(eq(schema.rollouts.id, first));
    const stored = row!.lastVerdict as { action: string; at: string };
    expect(shown.reading).toMatchObject({ action: "hold", at: stored.at });
    // The numbers are the guard's own: what its scan of both arms gives right now.
    const [canaryStats, stableStats] = await Promise.all([
      guard.stats("general", 2, row!.stageStartedAt),
      guard.stats("general", row!.stableVersion, new Date(row!.createdAt.getTime() - BASELINE_MS)),
    ]);
    expect(canaryStats.runs + stableStats.runs).toBe(6);
    expect(shown.reading?.comparison).toEqual(prepareComparison(canaryStats, stableStats));
  });
});
