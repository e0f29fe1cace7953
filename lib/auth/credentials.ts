import "server-only";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { db, schema } from "@/db";
import { dummyPasswordHash, verifyPassword } from "./password";
import type { Role } from "./permissions";

export const signInSchema = z.object({
  email: z.email("Enter a valid email address.").transform((e) => e.trim().toLowerCase()),
  password: z.string().min(1, "Enter your password.").max(512),
});

export type CredentialCheck =
  | { ok: true; user: { id: string; email: string; name: string; role: Role } }
  | { ok: false; reason: "wrong_credentials" | "disabled" };

/** Checks an email and password against the users table; records the sign-in on success. */
export async function verifyCredentials(email: string, password: string): Promise<CredentialCheck> {
  const [row] = await db()
    .select()
    .from(schema.users)
    .where(eq(sql`lower(${schema.users.email})`, email.trim().toLowerCase()))
    .limit(1);
  if (!row) {
    await verifyPassword(password, await dummyPasswordHash());
    return { ok: false, reason: "wrong_credentials" };
  }
  if (!(await verifyPassword(password, row.passwordHash))) {
    return { ok: false, reason: "wrong_credentials" };
  }
  // Checked after the password so a disabled account is only revealed to someone who knows it.
  if (row.disabledAt) return { ok: false, reason: "disabled" };
  await db()
    .update(schema.users)
    .set({ lastSignInAt: new Date() })
    .where(eq(schema.users.id, row.id));
  return { ok: true, user: { id: row.id, email: row.email, name: row.name, role: row.role } };
}
