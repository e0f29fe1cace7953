import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { authorize } from "@/lib/auth/authorize";
import { verifyCredentials } from "@/lib/auth/credentials";
import { AppError } from "@/lib/errors";
import { createTestUser, TEST_PASSWORD, testDb, setupTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "allowed";
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

describe("credentials", () => {
  it("accepts the right password, case-insensitively on the email, and records the sign-in", async () => {
    const u = await createTestUser("engineer");
    const result = await verifyCredentials(u.email.toUpperCase(), TEST_PASSWORD);
    expect(result).toMatchObject({ ok: true, user: { id: u.id, role: "engineer" } });
    const [row] = await testDb().select().from(schema.users).where(eq(schema.users.id, u.id));
    expect(row?.lastSignInAt).toBeInstanceOf(Date);
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const u = await createTestUser("engineer");
    expect(await verifyCredentials(u.email, "not the password")).toEqual({ ok: false, reason: "wrong_credentials" });
    expect(await verifyCredentials("nobody@test.switchyard.dev", TEST_PASSWORD)).toEqual({
      ok: false,
      reason: "wrong_credentials",
    });
  });

  it("refuses a disabled user even with the right password", async () => {
    const u = await createTestUser("admin", { disabled: true });
    expect(await verifyCredentials(u.email, TEST_PASSWORD)).toEqual({ ok: false, reason: "disabled" });
  });
});

describe("authorize", () => {
  it("applies a demotion on the very next call, without signing out", async () => {
    const u = await createTestUser("admin");
    signInAs(u.id);
    expect(await refusal(authorize("users:write"))).toBe("allowed");
    await testDb().update(schema.users).set({ role: "support_lead" }).where(eq(schema.users.id, u.id));
    expect(await refusal(authorize("users:write"))).toBe("forbidden");
    expect(await refusal(authorize("inbox:read"))).toBe("allowed");
  });

  it("treats a session of a since-disabled user as signed out", async () => {
    const u = await createTestUser("engineer");
    signInAs(u.id);
    await testDb().update(schema.users).set({ disabledAt: new Date() }).where(eq(schema.users.id, u.id));
    expect(await refusal(authorize("overview:read"))).toBe("unauthorized");
  });

  it("refuses a session whose user no longer exists", async () => {
    signInAs("usr_doesnotexist0000000000000");
    expect(await refusal(authorize("overview:read"))).toBe("unauthorized");
  });
});
