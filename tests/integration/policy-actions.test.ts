import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { can, roles, type Role } from "@/lib/auth/permissions";
import { newId } from "@/lib/ids";
import { startConversation } from "@/lib/runs/conversations";
import { auditRowsBy, createOneUserPerRole, createTestUser, getUserRow, testDb, setupTestDatabase } from "../helpers/db";
import { importProjectModule, serverActionModules } from "../helpers/entry-points";
import { actionPolicy } from "../helpers/policy-table";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));
// Signing in and out need a live request; stand-ins record the call so the policy can still be checked.
vi.mock("@/lib/auth/config", () => ({
  auth: vi.fn(),
  signIn: vi.fn(() => Promise.resolve()),
  signOut: vi.fn(() => Promise.resolve()),
  handlers: {},
}));

setupTestDatabase();

type Action = (prev: unknown, form: FormData) => Promise<unknown>;
type Caller = Role | "anonymous";
const callers: Caller[] = ["anonymous", ...roles];

async function discoverActions(): Promise<Map<string, Action>> {
  const found = new Map<string, Action>();
  for (const file of serverActionModules()) {
    const mod = await importProjectModule(file);
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === "function") found.set(`${file}#${name}`, value as Action);
    }
  }
  return found;
}

/** A console conversation already answered, so an allowed caller could write to it. */
async function createVictimConversation(): Promise<string> {
  const { id } = await startConversation(testDb(), { message: "victim", apiKeyId: null });
  await testDb()
    .update(schema.conversations)
    .set({ status: "waiting_for_customer" })
    .where(eq(schema.conversations.id, id));
  return id;
}

async function createVictimApiKey() {
  const [row] = await testDb()
    .insert(schema.apiKeys)
    .values({ id: newId("key"), name: "victim", prefix: "sy_live_vict", keyHash: hashApiKey(generateApiKey()) })
    .returning();
  return row!;
}

function form(fields: Record<string, string> = {}): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

function codeOf(result: unknown): string | undefined {
  if (result && typeof result === "object" && "ok" in result && result.ok === false && "code" in result) {
    return String(result.code);
  }
  return undefined;
}

describe("every server action against the policy table", () => {
  it("has exactly one policy row per action", async () => {
    const found = [...(await discoverActions()).keys()].sort();
    expect(found.length).toBeGreaterThan(0);
    expect(found).toEqual(Object.keys(actionPolicy).sort());
  });

  it("answers each caller as the policy says, and a refused call changes nothing", async () => {
    const actions = await discoverActions();
    const users = await createOneUserPerRole();
    const victim = await createTestUser("support_lead");
    const victimBefore = await getUserRow(victim.id);
    const victimKey = await createVictimApiKey();
    const victimConversation = await createVictimConversation();
    const ctx = {
      victimUserId: victim.id,
      unique: victim.id.slice(-12),
      victimApiKeyId: victimKey.id,
      victimConversationId: victimConversation,
    };
    const outcomes: string[] = [];

    for (const [key, action] of actions) {
      const policy = actionPolicy[key]!;
      for (const caller of callers) {
        signInAs(caller === "anonymous" ? null : users[caller].id);
        const allowed =
          policy.access.kind === "public" ||
          (caller !== "anonymous" && can(caller, policy.access.permission));
        // Refused callers send a form that would work, so only the permission check can stop it.
        const input = allowed ? {} : (policy.validInput?.(ctx) ?? {});
        const code = codeOf(await action(null, form(input)));
        const expected = allowed ? "allowed" : caller === "anonymous" ? "unauthorized" : "forbidden";
        const actual = code === "unauthorized" || code === "forbidden" ? code : "allowed";
        outcomes.push(`${key} as ${caller}: ${actual === expected ? "ok" : `expected ${expected}, got ${actual}`}`);
      }
    }
    expect(outcomes.filter((o) => !o.endsWith(": ok"))).toEqual([]);

    expect(await getUserRow(victim.id)).toEqual(victimBefore);
    const victimMessages = await testDb()
      .select({ id: schema.messages.id })
      .from(schema.messages)
      .where(eq(schema.messages.conversationId, victimConversation));
    expect(victimMessages).toHaveLength(1);
    const probes = await testDb()
      .select({ id: schema.messages.id })
      .from(schema.messages)
      .where(eq(schema.messages.content, `policy probe ${ctx.unique}`));
    expect(probes).toEqual([]);
    const [keyAfter] = await testDb().select().from(schema.apiKeys).where(eq(schema.apiKeys.id, victimKey.id));
    expect(keyAfter).toEqual(victimKey);
    const invited = await testDb()
      .select()
      .from(schema.users)
      .where(eq(schema.users.email, `invited-${ctx.unique}@test.switchyard.dev`));
    expect(invited).toEqual([]);
    for (const r of ["engineer", "support_lead"] as const) {
      expect(await auditRowsBy(users[r].id)).toEqual([]);
    }
  });
});
