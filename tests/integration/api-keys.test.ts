import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { GET as getConversation } from "@/app/api/v1/conversations/[id]/route";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/(console)/settings/actions";
import * as schema from "@/db/schema";
import { DEMO_API_KEY, seedDemo } from "@/db/seed";
import { hashApiKey } from "@/lib/api/keys";
import { listApiKeys } from "@/lib/dal/api-keys";
import { auditRowsBy, createOneUserPerRole, setupTestDatabase, testDb } from "../helpers/db";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

type Result<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

async function createKey(name: string) {
  const result = (await createApiKeyAction(null, form({ name }))) as Result<{ id: string; name: string; key: string }>;
  if (!result.ok) throw new Error(`create failed: ${result.code}`);
  return result.data;
}

/** What a caller with this key gets from the public API (404 for an unknown id = authenticated). */
async function statusWith(key: string): Promise<number> {
  const res = await getConversation(
    new Request("http://localhost:3000/api/v1/conversations/cnv_none", { headers: { authorization: `Bearer ${key}` } }),
    { params: Promise.resolve({ id: "cnv_none" }) },
  );
  return res.status;
}

async function keyRow(id: string) {
  const [row] = await testDb().select().from(schema.apiKeys).where(eq(schema.apiKeys.id, id));
  return row;
}

/** Every column of every api_keys and audit_log row as text, to search for a secret. */
async function everythingStored(): Promise<string> {
  const keys = await testDb().execute(sql`select row_to_json(k)::text as t from api_keys k`);
  const audit = await testDb().execute(sql`select row_to_json(a)::text as t from audit_log a`);
  const rows = (r: unknown) => ((r as { rows?: unknown[] }).rows ?? (r as unknown[])) as { t: string }[];
  return [...rows(keys), ...rows(audit)].map((r) => r.t).join("\n");
}

describe("API keys from the settings page", () => {
  it("creates a key shown once, stored only as a SHA-256 with a display prefix, and audited", async () => {
    const { admin } = await createOneUserPerRole();
    signInAs(admin.id);
    const created = await createKey("  Help desk  ");
    expect(created.key).toMatch(/^sy_live_[A-Za-z0-9_-]{32}$/);
    expect(created.name).toBe("Help desk");
    const row = await keyRow(created.id);
    expect(row).toMatchObject({
      name: "Help desk",
      prefix: created.key.slice(0, 12),
      keyHash: hashApiKey(created.key),
      createdBy: admin.id,
      revokedAt: null,
    });
    expect(row!.keyHash).toMatch(/^[0-9a-f]{64}$/);

    const stored = await everythingStored();
    expect(stored).not.toContain(created.key);
    expect(stored).not.toContain(created.key.slice(8));

    const audit = await auditRowsBy(admin.id);
    expect(audit.map((a) => [a.action, a.targetId])).toEqual([["api_key.create", created.id]]);
    expect(JSON.stringify(audit)).not.toContain(row!.keyHash);

    expect(await statusWith(created.key)).toBe(404);
    const listed = await listApiKeys();
    const dto = listed.find((k) => k.id === created.id);
    expect(dto).toEqual({ id: created.id, name: "Help desk", prefix: created.key.slice(0, 12), createdAt: expect.any(String) as string, lastUsedAt: expect.any(String) as string, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(row!.keyHash);
  });

  it("generates a different key every time", async () => {
    const { admin } = await createOneUserPerRole();
    signInAs(admin.id);
    const keys = await Promise.all(Array.from({ length: 5 }, (_, i) => createKey(`k${i}`)));
    expect(new Set(keys.map((k) => k.key)).size).toBe(5);
  });

  it("revokes a key: it stops working at once, the revocation is audited once", async () => {
    const { admin } = await createOneUserPerRole();
    signInAs(admin.id);
    const created = await createKey("Widget");
    expect(await statusWith(created.key)).toBe(404);

    const revoked = (await revokeApiKeyAction(null, form({ apiKeyId: created.id }))) as Result<{ revoked: boolean }>;
    expect(revoked).toEqual({ ok: true, data: { id: created.id, revoked: true } });
    expect((await keyRow(created.id))!.revokedAt).toBeInstanceOf(Date);
    expect(await statusWith(created.key)).toBe(401);

    const again = (await revokeApiKeyAction(null, form({ apiKeyId: created.id }))) as Result<unknown>;
    expect(again.ok).toBe(true);
    const audit = await auditRowsBy(admin.id);
    expect(audit.map((a) => a.action).sort()).toEqual(["api_key.create", "api_key.revoke"]);
    expect(JSON.stringify(audit)).not.toContain(created.key);
  });

  it("refuses create and revoke to everyone but admins, changing nothing", async () => {
    const users = await createOneUserPerRole();
    signInAs(users.admin.id);
    const victim = await createKey("Victim");
    const before = await keyRow(victim.id);
    for (const [caller, expected] of [
      [null, "unauthorized"],
      [users.engineer.id, "forbidden"],
      [users.support_lead.id, "forbidden"],
    ] as const) {
      signInAs(caller);
      const revoke = (await revokeApiKeyAction(null, form({ apiKeyId: victim.id }))) as Result<unknown>;
      const create = (await createApiKeyAction(null, form({ name: `sneaky-${caller}` }))) as Result<unknown>;
      expect([revoke.ok ? "ok" : revoke.code, create.ok ? "ok" : create.code]).toEqual([expected, expected]);
    }
    expect(await keyRow(victim.id)).toEqual(before);
    expect(await statusWith(victim.key)).toBe(404);
    const sneaky = await testDb().select().from(schema.apiKeys).where(sql`${schema.apiKeys.name} like 'sneaky-%'`);
    expect(sneaky).toEqual([]);
    expect(await auditRowsBy(users.engineer.id)).toEqual([]);
    expect(await auditRowsBy(users.support_lead.id)).toEqual([]);

    signInAs(users.engineer.id);
    await expect(listApiKeys()).rejects.toMatchObject({ code: "forbidden" });
  });

  it("validates input: a name is required, an unknown key is not found", async () => {
    const { admin } = await createOneUserPerRole();
    signInAs(admin.id);
    const blank = (await createApiKeyAction(null, form({ name: "   " }))) as Result<unknown>;
    expect(blank).toMatchObject({ ok: false, code: "invalid" });
    const missing = (await revokeApiKeyAction(null, form({ apiKeyId: "key_00000000000000000000000000" }))) as Result<unknown>;
    expect(missing).toMatchObject({ ok: false, code: "not_found" });
    const malformed = (await revokeApiKeyAction(null, form({ apiKeyId: "usr_x" }))) as Result<unknown>;
    expect(malformed).toMatchObject({ ok: false, code: "invalid" });
    expect(await auditRowsBy(admin.id)).toEqual([]);
  });
});

describe("the demo key", () => {
  it("is created hashed by seedDemo, works, and seeding twice changes nothing", async () => {
    await seedDemo(testDb());
    const demoRows = () =>
      testDb().select().from(schema.apiKeys).where(eq(schema.apiKeys.keyHash, hashApiKey(DEMO_API_KEY)));
    const [first] = await demoRows();
    expect(first).toMatchObject({ prefix: DEMO_API_KEY.slice(0, 12), revokedAt: null });
    expect(await everythingStored()).not.toContain(DEMO_API_KEY);
    expect(await statusWith(DEMO_API_KEY)).toBe(404);

    const second = await seedDemo(testDb());
    expect(second).toEqual({ created: [] });
    const rows = await demoRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(first!.id);
    const seeds = await testDb()
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "demo.seed"), eq(schema.auditLog.actorEmail, "system")));
    expect(seeds).toHaveLength(1);
  });
});
