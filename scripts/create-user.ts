import { parseArgs } from "node:util";
import { z } from "zod";
import { closeDatabase, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import * as schema from "@/db/schema";
import { generateTemporaryPassword, hashPassword } from "@/lib/auth/password";
import { roles } from "@/lib/auth/permissions";
import { newId } from "@/lib/ids";

// How the first real admin is made on a production database (no demo data there).
const { values } = parseArgs({
  options: { email: { type: "string" }, name: { type: "string" }, role: { type: "string" } },
});
const input = z
  .object({
    email: z.email().transform((e) => e.toLowerCase()),
    name: z.string().min(1).optional(),
    role: z.enum(roles).default("admin"),
  })
  .safeParse(values);
if (!input.success) {
  console.error("Usage: npm run user:create -- --email you@company.com [--name 'Your Name'] [--role admin|engineer|support_lead]");
  process.exit(2);
}
await migrateDatabase();
const password = generateTemporaryPassword();
const { email, role } = input.data;
const rows = await getDatabase()
  .insert(schema.users)
  .values({ id: newId("usr"), email, name: input.data.name ?? email, role, passwordHash: await hashPassword(password) })
  .onConflictDoNothing()
  .returning({ id: schema.users.id });
await closeDatabase();
if (rows.length === 0) {
  console.error(`A user with the email ${email} already exists.`);
  process.exit(1);
}
console.log(`Created ${role} ${email}. One-time password (shown once): ${password}`);
