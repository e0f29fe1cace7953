import { count, eq } from "drizzle-orm";
import { apiKeyDisplayPrefix, hashApiKey } from "@/lib/api/keys";
import { hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/auth/permissions";
import { newId } from "@/lib/ids";
import type { Database } from "./client";
import * as schema from "./schema";

/** The demo accounts of DESIGN.md's contract. Demo data only: never created in production. */
export const DEMO_PASSWORD = "switchyard-demo";
export const demoUsers: { email: string; name: string; role: Role }[] = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
  { email: "engineer@example.com", name: "Eli Engineer", role: "engineer" },
  { email: "lead@example.com", name: "Lee Lead", role: "support_lead" },
];
/** The contract's public-API demo key; stored hashed like any other key. Demo data only. */
export const DEMO_API_KEY = "sy_demo_switchyard";

export async function hasAnyUser(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(schema.users);
  return (row?.n ?? 0) > 0;
}

/**
 * Creates the demo data (users and the demo API key). Idempotent: existing demo users and keys are
 * left as they are, so running it on a database someone has already used changes nothing they did.
 */
export async function seedDemo(db: Database): Promise<{ created: string[] }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(schema.users)
      .values(demoUsers.map((d) => ({ id: newId("usr"), ...d, passwordHash })))
      .onConflictDoNothing()
      .returning({ email: schema.users.email });
    const created = inserted.map((r) => r.email);
    const demoApiKeyCreated = await seedDemoApiKey(tx);
    await seedDemoBudgets(tx);
    if (created.length > 0 || demoApiKeyCreated) {
      await tx.insert(schema.auditLog).values({
        id: newId("aud"),
        actorId: null,
        actorEmail: "system",
        action: "demo.seed",
        targetType: "system",
        targetId: null,
        after: { users: created, apiKeys: demoApiKeyCreated ? [apiKeyDisplayPrefix(DEMO_API_KEY)] : [] },
      });
    }
    return { created };
  });
}

/**
 * A few days of demo conversations so every chart has data (lib/runs/history.ts). Demo data only:
 * called beside seedDemo, never on its own. Idempotent through a marker in `settings`.
 */
export async function seedDemoHistory(db: Database): Promise<{ conversations: number; skipped: boolean; ms: number }> {
  const { backfillDemoHistory } = await import("@/lib/runs/history");
  return backfillDemoHistory(db);
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Adds the demo key unless it exists (revoked or not: an admin's revocation is left alone). */
async function seedDemoApiKey(tx: Tx): Promise<boolean> {
  const [admin] = await tx
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.email, "admin@example.com"))
    .limit(1);
  const inserted = await tx
    .insert(schema.apiKeys)
    .values({
      id: newId("key"),
      name: "Demo key",
      prefix: apiKeyDisplayPrefix(DEMO_API_KEY),
      keyHash: hashApiKey(DEMO_API_KEY),
      createdBy: admin?.id ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: schema.apiKeys.id });
  return inserted.length > 0;
}

/** Demo budgets, so the budgets page shows spend against limits from the first start. */
async function seedDemoBudgets(tx: Tx): Promise<void> {
  await tx
    .insert(schema.budgets)
    .values([
      { scope: "conversation:default", limitUsd: 0.01 },
      { scope: "daily:global", limitUsd: 2 },
      { scope: "daily:agent:billing", limitUsd: 0.5 },
    ])
    .onConflictDoNothing();
}
