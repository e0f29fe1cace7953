import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createAgentVersionAction, updateAgentVersionAction } from "@/app/(console)/agents/actions";
import * as schema from "@/db/schema";
import { markVersionsUsed } from "@/lib/rollouts/routing";
import { auditRowsBy, createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

const draft = {
  agent: "billing",
  instructions: "Answer billing questions briefly; look orders up before discussing them.",
  modelTier: "fast",
  "tool.lookup_order": "on",
  maxTurns: "4",
  note: "shorter answers",
};

async function versionRow(id: string) {
  const [row] = await testDb().select().from(schema.agentVersions).where(eq(schema.agentVersions.id, id));
  return row!;
}

describe("agent versions", () => {
  it("lets an engineer create numbered drafts derived from the code-defined agent, audited", async () => {
    const engineer = await createTestUser("engineer");
    signInAs(engineer.id);
    const first = await createAgentVersionAction(null, form(draft));
    const second = await createAgentVersionAction(null, form({ ...draft, "tool.refund": "on" }));
    if (!first.ok || !second.ok) throw new Error("create failed");
    expect([first.data.version, second.data.version]).toEqual([2, 3]);
    const row = await versionRow(second.data.id);
    expect(row).toMatchObject({ agent: "billing", baseVersion: 1, status: "draft", modelTier: "fast", limits: { maxTurns: 4 } });
    expect(row.tools.sort()).toEqual(["lookup_order", "refund"]);
    expect((await auditRowsBy(engineer.id)).map((a) => a.action)).toEqual(["agent_version.create", "agent_version.create"]);
  });

  it("refuses a tool the base agent may not use, and a support lead altogether", async () => {
    const engineer = await createTestUser("engineer");
    signInAs(engineer.id);
    const result = await createAgentVersionAction(null, form({ ...draft, "tool.kb_search": "on" }));
    expect(result).toMatchObject({ ok: false, code: "invalid" });
    if (!result.ok) expect(result.fieldErrors?.tools?.[0]).toMatch(/kb_search/);
    const lead = await createTestUser("support_lead");
    signInAs(lead.id);
    expect(await createAgentVersionAction(null, form(draft))).toMatchObject({ ok: false, code: "forbidden" });
    expect(await auditRowsBy(lead.id)).toEqual([]);
  });

  it("edits a draft until a run uses it; then the data layer and the database both refuse", async () => {
    const engineer = await createTestUser("engineer");
    signInAs(engineer.id);
    const created = await createAgentVersionAction(null, form(draft));
    if (!created.ok) throw new Error("create failed");
    const id = created.data.id;
    const edit = { versionId: id, instructions: "Answer billing questions in two sentences at most.", modelTier: "standard" };

    const lead = await createTestUser("support_lead");
    signInAs(lead.id);
    expect(await updateAgentVersionAction(null, form(edit))).toMatchObject({ ok: false, code: "forbidden" });
    expect((await versionRow(id)).modelTier).toBe("fast");

    signInAs(engineer.id);
    expect(await updateAgentVersionAction(null, form(edit))).toMatchObject({ ok: true });
    expect(await versionRow(id)).toMatchObject({ modelTier: "standard", tools: [] });

    await markVersionsUsed(testDb(), "billing", [(await versionRow(id)).version]);
    expect(await updateAgentVersionAction(null, form({ ...edit, modelTier: "strong" }))).toMatchObject({ ok: false, code: "conflict" });
    await expect(
      testDb().execute(sql`update agent_versions set instructions = 'sneaky' where id = ${id}`),
    ).rejects.toThrow();
    await expect(testDb().execute(sql`delete from agent_versions where id = ${id}`)).rejects.toThrow();
    // Status is not content: a rollout may still flip it.
    await testDb().execute(sql`update agent_versions set status = 'active' where id = ${id}`);
    expect(await versionRow(id)).toMatchObject({ modelTier: "standard", status: "active" });
  });
});
