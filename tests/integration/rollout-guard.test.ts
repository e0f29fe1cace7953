import { asc, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { DEGRADED_QUALITY_DIRECTIVE } from "@/lib/agents/simulation/quality";
import { startRollout } from "@/lib/dal/rollouts";
import { RolloutBackground } from "@/lib/rollouts/background";
import { startConversation } from "@/lib/runs/conversations";
import { createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { insertVersion, rolloutParts } from "../helpers/rollouts";
import { settledConversation, testWorker } from "../helpers/runtime";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

// Questions the support team routes to the general agent, the one being canaried.
const questions = [
  "Do you ship to Canada?",
  "What are your support hours over the holidays?",
  "Can I change the email address on my account?",
  "How do I add a teammate to my workspace?",
];
const MIN_SAMPLE = 10;

async function runCanary(instructions: string, version: number) {
  const base = await insertVersion("general", version, instructions);
  const admin = await createTestUser("admin");
  const rolloutId = await startRollout({ ...admin, name: "Admin" }, {
    agent: "general",
    canaryVersion: version,
    stages: [50, 100],
    minSample: MIN_SAMPLE,
  });
  const parts = rolloutParts();
  const background = new RolloutBackground(testDb(), parts, {
    sampler: { settleMs: 0 },
    guard: { config: { minEvalSample: 5 } },
  });
  const worker = testWorker(parts);
  await worker.start();
  const verdicts: { action: string; reason?: string; canaryRuns: number }[] = [];
  try {
    for (let batch = 0; batch < 12; batch++) {
      const ids = [];
      for (let i = 0; i < 6; i++) {
        const message = `${questions[(batch * 6 + i) % questions.length]} (${batch}.${i})`;
        ids.push((await startConversation(testDb(), { message, apiKeyId: null }, parts)).id);
      }
      for (const id of ids) await settledConversation(id);
      await background.tick();
      const [row] = await testDb().select().from(schema.rollouts).where(eq(schema.rollouts.id, rolloutId));
      const verdict = row?.lastVerdict as { action: string; reason?: string; canary: { runs: number } } | null;
      if (verdict) verdicts.push({ action: verdict.action, reason: verdict.reason, canaryRuns: verdict.canary.runs });
      if (row?.status !== "running") break;
    }
  } finally {
    await worker.stop();
  }
  const [rollout] = await testDb().select().from(schema.rollouts).where(eq(schema.rollouts.id, rolloutId));
  const decisions = await testDb()
    .select()
    .from(schema.rolloutDecisions)
    .where(eq(schema.rolloutDecisions.rolloutId, rolloutId))
    .orderBy(asc(schema.rolloutDecisions.createdAt), asc(schema.rolloutDecisions.id));
  return { rollout: rollout!, decisions, verdicts, base };
}

describe("the rollout guard", () => {
  it("rolls a worse canary back as soon as it has its minimum sample, naming the signal and the numbers", async () => {
    const { rollout, decisions, verdicts } = await runCanary(
      `You answer general questions politely and briefly. ${DEGRADED_QUALITY_DIRECTIVE}`,
      2,
    );
    expect(rollout.status).toBe("rolled_back");
    const last = decisions.at(-1)!;
    expect(last).toMatchObject({ action: "rollback", source: "guard", signal: "eval_score", fromPercent: 50, toPercent: 0 });
    expect(last.reason).toMatch(/^eval score broke: eval score 0\.\d+ is below the limit/);
    const reading = (last.readings as { signal: string; canary: number; stable: number; status: string }[]).find(
      (r) => r.signal === "eval_score",
    );
    expect(reading?.status).toBe("breaks");
    expect(reading!.canary).toBeLessThan(reading!.stable - 0.1);
    // Rolled back at the first tick whose sample was complete: every earlier reading waited for it.
    const decided = verdicts.findIndex((v) => v.action !== "hold");
    expect(verdicts[decided]).toMatchObject({ action: "rollback" });
    expect(verdicts[decided]!.canaryRuns).toBeGreaterThanOrEqual(MIN_SAMPLE);
    for (const earlier of verdicts.slice(0, decided)) {
      expect(earlier.reason).toMatch(/^(canary|stable) has \d+ of 10 runs$|^eval scores: /);
    }
    const audit = await testDb().select().from(schema.auditLog).where(eq(schema.auditLog.targetId, rollout.id));
    expect(audit.map((a) => a.action).sort()).toEqual(["rollout.rollback", "rollout.start"]);
    expect(audit.find((a) => a.action === "rollout.rollback")?.actorEmail).toBe("rollout-guard");
  });

  it("advances an equally good canary stage by stage to 100% and promotes it", async () => {
    const { rollout, decisions } = await runCanary(
      "You answer general questions politely and briefly. Never promise discounts, credits or exceptions. When the customer asks for a person, say you are connecting them and set `handover` to the reason.",
      3,
    );
    expect(rollout.status).toBe("promoted");
    expect(decisions.map((d) => [d.action, d.source, d.fromPercent, d.toPercent])).toEqual([
      ["start", expect.stringMatching(/^usr_/), 0, 50],
      ["advance", "guard", 50, 100],
      ["advance", "guard", 100, 100],
    ]);
    const [version] = await testDb().select().from(schema.agentVersions).where(eq(schema.agentVersions.version, 3));
    expect(version?.status).toBe("active");
  });
});
