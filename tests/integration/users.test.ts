import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import {
  changeUserRoleAction,
  inviteUserAction,
  setUserDisabledAction,
} from "@/app/(console)/settings/actions";
import * as schema from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/credentials";
import { auditRowsBy, createTestUser, getUserRow, testDb, setupTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

describe("user administration", () => {
  it("invites a user who can then sign in with the one-time password, and audits it", async () => {
    const admin = await createTestUser("admin");
    signInAs(admin.id);
    const email = `New.Person-${admin.id.slice(-8)}@Test.Switchyard.dev`;
    const result = await inviteUserAction(null, form({ email, name: "New Person", role: "engineer" }));
    if (!result.ok) throw new Error(result.message);
    expect(result.data.email).toBe(email.toLowerCase());
    const signIn = await verifyCredentials(email, result.data.temporaryPassword);
    expect(signIn).toMatchObject({ ok: true, user: { role: "engineer" } });
    const audit = await auditRowsBy(admin.id);
    expect(audit.map((a) => a.action)).toEqual(["user.invite"]);
    expect(audit[0]?.after).toMatchObject({ email: email.toLowerCase(), role: "engineer" });
  });

  it("rejects invalid input with field errors and writes nothing", async () => {
    const admin = await createTestUser("admin");
    signInAs(admin.id);
    const result = await inviteUserAction(null, form({ email: "not-an-email", name: "", role: "owner" }));
    expect(result).toMatchObject({ ok: false, code: "invalid" });
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors ?? {}).sort()).toEqual(["email", "name", "role"]);
    expect(await auditRowsBy(admin.id)).toEqual([]);
  });

  it("refuses a second account with the same email, whatever its case", async () => {
    const admin = await createTestUser("admin");
    const existing = await createTestUser("engineer");
    signInAs(admin.id);
    const result = await inviteUserAction(null, form({ email: existing.email.toUpperCase(), name: "Dup", role: "engineer" }));
    expect(result).toMatchObject({ ok: false, code: "conflict" });
  });

  it("changes a role and disables an account, recording before and after", async () => {
    const admin = await createTestUser("admin");
    const target = await createTestUser("support_lead");
    signInAs(admin.id);
    expect(await changeUserRoleAction(null, form({ userId: target.id, role: "engineer" }))).toMatchObject({ ok: true });
    expect(await setUserDisabledAction(null, form({ userId: target.id, disabled: "true" }))).toMatchObject({ ok: true });
    const row = await getUserRow(target.id);
    expect(row?.role).toBe("engineer");
    expect(row?.disabledAt).toBeInstanceOf(Date);
    const audit = await auditRowsBy(admin.id);
    expect(audit.map((a) => [a.action, a.before, a.after])).toEqual(
      expect.arrayContaining([
        ["user.role_change", { role: "support_lead" }, { role: "engineer" }],
        ["user.disable", { disabled: false }, { disabled: true }],
      ]),
    );
  });

  it("does not let an admin disable themselves", async () => {
    const admin = await createTestUser("admin");
    signInAs(admin.id);
    const result = await setUserDisabledAction(null, form({ userId: admin.id, disabled: "true" }));
    expect(result).toMatchObject({ ok: false, code: "conflict" });
    expect((await getUserRow(admin.id))?.disabledAt).toBeNull();
  });

  it("answers not_found for an unknown user id", async () => {
    const admin = await createTestUser("admin");
    signInAs(admin.id);
    const result = await changeUserRoleAction(null, form({ userId: "usr_0000000000zzzzzzzzzzzzzzzz", role: "admin" }));
    expect(result).toMatchObject({ ok: false, code: "not_found" });
  });

  it("keeps at least one active admin", async () => {
    // This file owns its database, so the admins here are all the admins there are.
    await testDb().update(schema.users).set({ role: "engineer" }).where(eq(schema.users.role, "admin"));
    const first = await createTestUser("admin");
    signInAs(first.id);
    expect(await changeUserRoleAction(null, form({ userId: first.id, role: "engineer" }))).toMatchObject({
      ok: false,
      code: "conflict",
    });
    const second = await createTestUser("admin");
    expect(await changeUserRoleAction(null, form({ userId: first.id, role: "engineer" }))).toMatchObject({ ok: true });
    signInAs(second.id);
    expect(await changeUserRoleAction(null, form({ userId: second.id, role: "support_lead" }))).toMatchObject({
      ok: false,
      code: "conflict",
    });
    expect((await getUserRow(second.id))?.role).toBe("admin");
  });
});
