import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { forceOpenBreakerAction, resetBreakerAction } from "@/app/(console)/breakers/actions";
import { GET as getBreakersRoute } from "@/app/api/console/breakers/route";
import { listBreakers } from "@/lib/dal/breakers";
import { PgBreakerStore } from "@/lib/runs/pg-breaker-store";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
let worker: PgBreakerStore;

beforeAll(async () => {
  users = await createOneUserPerRole();
  worker = new PgBreakerStore(testDb(), { pollMs: 100 });
  await worker.start();
});
afterAll(() => worker.stop());

const form = (key: string) => {
  const f = new FormData();
  f.set("key", key);
  return f;
};
const rowOf = async (key: string) =>
  (await testDb().select().from(schema.breakers).where(eq(schema.breakers.key, key)))[0];
const auditOf = (key: string) =>
  testDb().select().from(schema.auditLog).where(eq(schema.auditLog.targetId, key));

describe("breakers page data and commands", () => {
  it("lists every breaker the teams can trip, before any call reached them", async () => {
    signInAs(users.engineer.id);
    const { breakers } = await listBreakers();
    const keys = breakers.map((b) => b.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "agent:triage",
        "agent:billing",
        "model:simulator/fast",
        "tool:refund",
      ]),
    );
    expect(breakers.find((b) => b.key === "agent:billing")).toMatchObject({
      status: "closed",
      updatedAt: null,
      kind: "agent",
      name: "billing",
    });
  });

  it("lets an admin trip a breaker: audited, recorded with the actor, refused by a worker's store", async () => {
    signInAs(users.admin.id);
    expect(await forceOpenBreakerAction(null, form("agent:billing"))).toMatchObject({
      ok: true,
      data: { status: "open" },
    });
    expect(await rowOf("agent:billing")).toMatchObject({ status: "open", forced: true });
    const [transition] = await testDb()
      .select()
      .from(schema.breakerTransitions)
      .where(eq(schema.breakerTransitions.breakerKey, "agent:billing"));
    expect(transition).toMatchObject({
      fromStatus: "closed",
      toStatus: "open",
      reason: "forced_open",
      actorId: users.admin.id,
      actorEmail: users.admin.email,
    });
    expect(await auditOf("agent:billing")).toMatchObject([
      {
        action: "breaker.force_open",
        actorId: users.admin.id,
        after: { status: "open", forced: true },
      },
    ]);
    await worker.nextRefresh();
    expect((await worker.apply("agent:billing", { type: "acquire" }, Date.now())).decision).toBe(
      "reject",
    );

    const listed = await listBreakers();
    expect(listed.breakers[0]).toMatchObject({
      key: "agent:billing",
      status: "open",
      forced: true,
      probeAt: null,
    });
    expect(listed.transitions[0]).toMatchObject({
      key: "agent:billing",
      to: "open",
      actorEmail: users.admin.email,
    });

    expect(await resetBreakerAction(null, form("agent:billing"))).toMatchObject({
      ok: true,
      data: { status: "closed" },
    });
    await worker.nextRefresh();
    expect((await worker.apply("agent:billing", { type: "acquire" }, Date.now())).decision).toBe(
      "allow",
    );
  });

  it("refuses engineers and support leads, and changes nothing for them", async () => {
    for (const role of ["engineer", "support_lead"] as const) {
      signInAs(users[role].id);
      expect(await forceOpenBreakerAction(null, form("agent:technical"))).toMatchObject({
        ok: false,
        code: "forbidden",
      });
    }
    signInAs(null);
    expect(await forceOpenBreakerAction(null, form("agent:technical"))).toMatchObject({
      ok: false,
      code: "unauthorized",
    });
    expect(await rowOf("agent:technical")).toBeUndefined();
    expect(await auditOf("agent:technical")).toEqual([]);
  });

  it("rejects keys that are malformed or name nothing this deployment runs", async () => {
    signInAs(users.admin.id);
    expect(await forceOpenBreakerAction(null, form("billing"))).toMatchObject({
      ok: false,
      code: "invalid",
    });
    expect(await forceOpenBreakerAction(null, form("agent:nobody"))).toMatchObject({
      ok: false,
      code: "not_found",
    });
    expect(await rowOf("agent:nobody")).toBeUndefined();
  });

  it("serves the page's polling route to engineers, not to support leads", async () => {
    signInAs(users.engineer.id);
    const ok = await getBreakersRoute();
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { breakers: unknown[] }).breakers.length).toBeGreaterThan(5);
    signInAs(users.support_lead.id);
    expect((await getBreakersRoute()).status).toBe(403);
  });
});
