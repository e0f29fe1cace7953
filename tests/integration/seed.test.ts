import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { DEMO_PASSWORD, demoUsers, seedDemo } from "@/db/seed";
import { verifyCredentials } from "@/lib/auth/credentials";
import { backend, setupTestDatabase, testDb } from "../helpers/db";

setupTestDatabase();

describe("test database", () => {
  // TOOLCHAIN.md: a "PGlite" run that silently used PostgreSQL (or the reverse) would prove nothing.
  it("is the backend the environment asks for", () => {
    expect(backend()).toBe(process.env.DATABASE_URL ? "postgres" : "pglite");
  });
});

describe("demo data", () => {
  it("creates the three demo users of the contract, who can sign in with the demo password", async () => {
    const { created } = await seedDemo(testDb());
    expect(created.sort()).toEqual(["admin@example.com", "engineer@example.com", "lead@example.com"]);
    for (const d of demoUsers) {
      expect(await verifyCredentials(d.email, DEMO_PASSWORD)).toMatchObject({ ok: true, user: { role: d.role } });
    }
  });

  it("is idempotent and leaves changes made since untouched", async () => {
    await seedDemo(testDb());
    await testDb().update(schema.users).set({ name: "Renamed" }).where(eq(schema.users.email, "lead@example.com"));
    expect(await seedDemo(testDb())).toEqual({ created: [] });
    const [lead] = await testDb().select().from(schema.users).where(eq(schema.users.email, "lead@example.com"));
    expect(lead?.name).toBe("Renamed");
  });
});
