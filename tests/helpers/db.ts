import { eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import { closeDatabase, databaseKind, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import * as schema from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/auth/permissions";
import { resetEnvForTests } from "@/lib/env";
import { newId } from "@/lib/ids";
import { createServerDatabase } from "./server-db";

/**
 * Gives the test file a database of its own: an in-memory PGlite, or, when DATABASE_URL is set,
 * a new database on that PostgreSQL server (created here, dropped afterwards). Files run in
 * parallel without seeing each other's rows, and the same tests run on both backends. Either
 * starts as a copy of the one tests/global-setup.ts migrated.
 */
export function setupTestDatabase(): void {
  let dropOnExit: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const serverUrl = process.env.DATABASE_URL;
    if (serverUrl && !process.env.SWITCHYARD_EMBEDDED_DB) {
      const name = `sy_test_${newId("db").slice(3).toLowerCase()}`;
      const created = await createServerDatabase(serverUrl, name, { template: process.env.TEST_DATABASE_TEMPLATE });
      process.env.DATABASE_URL = created.url;
      resetEnvForTests();
      dropOnExit = created.drop;
    }
    await migrateDatabase();
  });
  afterAll(async () => {
    await closeDatabase();
    await dropOnExit?.();
  });
}

export const testDb = () => getDatabase();
export const backend = () => databaseKind();

let passwordHash: Promise<string> | undefined;
export const TEST_PASSWORD = "correct horse battery staple";

/** A fresh user with a unique email; the password is TEST_PASSWORD. */
export interface TestUser {
  id: string;
  email: string;
  role: Role;
}

export async function createTestUser(role: Role, opts: { disabled?: boolean } = {}): Promise<TestUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const id = newId("usr");
  const email = `${role}-${id.slice(-10)}@test.switchyard.dev`;
  await getDatabase()
    .insert(schema.users)
    .values({
      id,
      email,
      name: `Test ${role}`,
      role,
      passwordHash: await passwordHash,
      disabledAt: opts.disabled ? new Date() : null,
    });
  return { id, email, role };
}

/** One fresh user of each role, keyed by role. */
export async function createOneUserPerRole(): Promise<Record<Role, TestUser>> {
  const [admin, engineer, support_lead] = await Promise.all(
    (["admin", "engineer", "support_lead"] as const).map((r) => createTestUser(r)),
  );
  return { admin: admin!, engineer: engineer!, support_lead: support_lead! };
}

export async function getUserRow(id: string) {
  const [row] = await getDatabase().select().from(schema.users).where(eq(schema.users.id, id));
  return row;
}

export async function auditRowsBy(actorId: string) {
  return getDatabase().select().from(schema.auditLog).where(eq(schema.auditLog.actorId, actorId));
}
