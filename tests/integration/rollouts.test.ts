import { eq, inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createAgentVersionAction } from "@/app/(console)/agents/actions";
import { changeRolloutAction, startRolloutAction } from "@/app/(console)/rollouts/actions";
import * as schema from "@/db/schema";
import { demoChains, demoTools } from "@/lib/agents";
import { AgentCatalog } from "@/lib/rollouts/catalog";
import { RolloutRouting } from "@/lib/rollouts/routing";
import { postCustomerMessage, startConversation } from "@/lib/runs/conversations";
import { type RuntimeParts } from "@/lib/runs/runtime";
import { defaultRuntimeParts } from "@/lib/runs/default-parts";
import { SimulatorModel } from "@/lib/providers/simulator";
import { ToolRegistry } from "@/lib/runtime";
import { assignArm } from "@/lib/runtime/rollout";
import { auditRowsBy, createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

async function createVersion(agent: string): Promise<number> {
  const engineer = await createTestUser("engineer");
  signInAs(engineer.id);
  const result = await createAgentVersionAction(
    null,
    form({ agent, instructions: `A new version of ${agent}: shorter, warmer answers.`, modelTier: "fast" }),
  );
  if (!result.ok) throw new Error(result.message);
  return result.data.version;
}

async function startAs(userId: string, fields: Record<string, string>) {
  signInAs(userId);
  return startRolloutAction(null, form(fields));
}

/** A second process: its own catalog and routing over the same database. */
function freshProcessParts(): RuntimeParts {
  const catalog = new AgentCatalog(testDb, demoChains());
  return {
    get chains() {
      return catalog.chains;
    },
    tools: new ToolRegistry(demoTools()),
    model: new SimulatorModel(),
    versions: new RolloutRouting(catalog),
  };
}

async function pinnedVersions(conversationId: string) {
  return (await runsOf(conversationId)).map((run) => (run.checkpoint as { versions: Record<string, number> }).versions);
}

async function answer(ids: string[]) {
  await testDb().update(schema.conversations).set({ status: "waiting_for_customer" }).where(inArray(schema.conversations.id, ids));
}

describe("rollouts", () => {
  it("only admins start and change a rollout; every change is audited", async () => {
    const version = await createVersion("technical");
    const fields = { version: `technical@${version}`, stages: "10, 50, 100", minSample: "20" };
    for (const role of ["engineer", "support_lead"] as const) {
      const user = await createTestUser(role);
      expect(await startAs(user.id, fields)).toMatchObject({ ok: false, code: "forbidden" });
      expect(await auditRowsBy(user.id)).toEqual([]);
    }
    expect(await testDb().select().from(schema.rollouts)).toEqual([]);

    const admin = await createTestUser("admin");
    const started = await startAs(admin.id, fields);
    if (!started.ok) throw new Error(started.message);
    expect(await startAs(admin.id, fields)).toMatchObject({ ok: false, code: "conflict" });

    const engineer = await createTestUser("engineer");
    signInAs(engineer.id);
    expect(await changeRolloutAction(null, form({ rolloutId: started.data.id, command: "rollback" }))).toMatchObject({
      ok: false,
      code: "forbidden",
    });
    signInAs(admin.id);
    for (const command of ["pause", "resume", "rollback"]) {
      expect(await changeRolloutAction(null, form({ rolloutId: started.data.id, command }))).toMatchObject({ ok: true });
    }
    expect(await changeRolloutAction(null, form({ rolloutId: started.data.id, command: "resume" }))).toMatchObject({
      ok: false,
      code: "conflict",
    });
    expect((await auditRowsBy(admin.id)).map((a) => a.action).sort()).toEqual(
      ["rollout.pause", "rollout.resume", "rollout.rollback", "rollout.start"].sort(),
    );
    const decisions = await testDb()
      .select()
      .from(schema.rolloutDecisions)
      .where(eq(schema.rolloutDecisions.rolloutId, started.data.id));
    expect(decisions.map((d) => [d.action, d.fromPercent, d.toPercent]).sort()).toEqual(
      [
        ["start", 0, 10],
        ["pause", 10, 10],
        ["resume", 10, 10],
        ["rollback", 10, 0],
      ].sort(),
    );
  });

  it("pins each conversation's version at its first turn and keeps it across turns, stages and restarts", async () => {
    const version = await createVersion("general");
    const admin = await createTestUser("admin");
    const started = await startAs(admin.id, { version: `general@${version}`, stages: "50, 100", minSample: "20" });
    if (!started.ok) throw new Error(started.message);
    const rolloutId = started.data.id;

    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      ids.push((await startConversation(testDb(), { message: `Do you ship to Canada? (${i})`, apiKeyId: null })).id);
    }
    const expected = (id: string) => (assignArm(id, rolloutId, 50) === "canary" ? version : 1);
    for (const id of ids) expect((await pinnedVersions(id))[0]?.general).toBe(expected(id));
    expect(new Set(ids.map(expected)).size).toBe(2);

    // The canary goes to 100%: new conversations get it, running ones keep what they had.
    signInAs(admin.id);
    expect(await changeRolloutAction(null, form({ rolloutId, command: "advance" }))).toMatchObject({ ok: true });
    const late = await startConversation(testDb(), { message: "Do you ship to Canada?", apiKeyId: null });
    expect((await pinnedVersions(late.id))[0]?.general).toBe(version);

    await answer(ids);
    for (const id of ids) await postCustomerMessage(testDb(), id, "And to Mexico?", { apiKeyId: null });
    await answer(ids);
    const restarted = freshProcessParts();
    for (const id of ids) await postCustomerMessage(testDb(), id, "Thanks!", { apiKeyId: null }, restarted);
    for (const id of ids) {
      expect((await pinnedVersions(id)).map((v) => v.general)).toEqual([expected(id), expected(id), expected(id)]);
    }

    // Rolled back: the canary's conversations return to stable on their next turn.
    expect(await changeRolloutAction(null, form({ rolloutId, command: "rollback" }))).toMatchObject({ ok: true });
    await answer(ids);
    const onCanary = ids.filter((id) => expected(id) === version);
    for (const id of onCanary) await postCustomerMessage(testDb(), id, "One more thing", { apiKeyId: null });
    for (const id of onCanary) expect((await pinnedVersions(id)).at(-1)?.general).toBe(1);
    const after = await startConversation(testDb(), { message: "Hello", apiKeyId: null }, defaultRuntimeParts());
    expect((await pinnedVersions(after.id))[0]?.general).toBe(1);
  });

  it("moves a conversation to the new code version when a deploy removed the one it was pinned to", async () => {
    const before = freshProcessParts();
    const { id } = await startConversation(testDb(), { message: "Do you ship to Canada?", apiKeyId: null }, before);
    const old = testWorker(before);
    await old.start();
    try {
      expect((await settledConversation(id)).status).toBe("waiting_for_customer");
    } finally {
      await old.stop();
    }
    // The next deploy bumps every code-defined agent: version 1 no longer exists anywhere.
    const bumped = demoChains().map((chain) => ({
      ...chain,
      defaultVersions: undefined,
      agents: chain.agents.map((agent) => ({ ...agent, version: agent.version + 1 })),
    }));
    const catalog = new AgentCatalog(testDb, bumped);
    const deployed: RuntimeParts = { ...freshProcessParts(), chains: catalog.chains, versions: new RolloutRouting(catalog) };
    await postCustomerMessage(testDb(), id, "And to Mexico?", { apiKeyId: null }, deployed);
    expect((await pinnedVersions(id)).map((v) => v.general)).toEqual([1, 2]);
    const worker = testWorker(deployed);
    await worker.start();
    try {
      expect((await settledConversation(id)).status).toBe("waiting_for_customer");
    } finally {
      await worker.stop();
    }
  });

  it("lets a worker in another process run a version it has never loaded", async () => {
    const version = await createVersion("billing");
    const admin = await createTestUser("admin");
    const started = await startAs(admin.id, { version: `billing@${version}`, stages: "100", minSample: "20" });
    if (!started.ok) throw new Error(started.message);
    const { id } = await startConversation(testDb(), { message: "Can I get an invoice for my last payment?", apiKeyId: null }, freshProcessParts());
    const worker = testWorker(freshProcessParts());
    await worker.start();
    try {
      expect((await settledConversation(id)).status).toBe("waiting_for_customer");
    } finally {
      await worker.stop();
    }
    const [run] = await runsOf(id);
    const billing = (await eventsOf(run!.id)).filter((e) => e.agent === "billing");
    expect(billing.length).toBeGreaterThan(0);
    expect(new Set(billing.map((e) => e.agentVersion))).toEqual(new Set([version]));
  });
});
