import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { getRoutingOverview } from "@/lib/dal/routing";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { startConversation } from "@/lib/runs/conversations";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
let worker: ReturnType<typeof testWorker>;
let since: number;

beforeAll(async () => {
  users = await createOneUserPerRole();
  worker = testWorker(); // the demo support team on the simulator: billing and technical are routed
  await worker.start();
  since = Date.now() - 60_000;
  for (const message of [
    "Where can I download last month's invoice?",
    "My sync failed with an error on my laptop this morning.",
    "The desk arrived broken and damaged, please refund $49 on order ORD-4821",
  ]) {
    const { id } = await startConversation(testDb(), { message, apiKeyId: null });
    await settledConversation(id);
  }
});
afterAll(async () => {
  await worker.stop();
});

describe("routing overview on /agents", () => {
  it("shows each routed agent's decisions per tier and their cost against the top tier", async () => {
    signInAs(users.engineer.id);
    const overview = await getRoutingOverview({ from: since, to: Date.now() + 60_000 });

    expect(overview.rows.map((r) => r.agent)).toEqual(["billing", "technical"]);
    const billing = overview.rows.find((r) => r.agent === "billing")!;
    // The invoice question went down to the fast tier, the broken desk up to the strong one.
    expect(billing).toMatchObject({ range: "fast..strong", decisions: 2, topTier: "strong" });
    expect(billing.share).toEqual({ fast: 0.5, standard: 0, strong: 0.5 });
    const technical = overview.rows.find((r) => r.agent === "technical")!;
    expect(technical.share.standard).toBe(1);
    for (const row of overview.rows) {
      expect(row.costUsd).toBeGreaterThan(0);
      expect(row.topTierCostUsd!).toBeGreaterThanOrEqual(row.costUsd);
    }
    expect(overview.routerCalls).toBe(3);
    expect(overview.routerCostUsd).toBeGreaterThan(0);
    expect(overview.savedUsd).toBeCloseTo(
      overview.rows.reduce((s, r) => s + r.topTierCostUsd! - r.costUsd, 0) - overview.routerCostUsd,
      12,
    );
    expect(overview.recent).toHaveLength(3);
    expect(overview.recent[0]).toMatchObject({ reason: expect.stringMatching(/^Simulated router: /) as unknown, traceId: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown });
  });

  it("prices the top tier at the price in force now, without building the runtime in the page render", async () => {
    const strong = "simulator/strong";
    const [latest] = await testDb()
      .select({ version: schema.modelPrices.version })
      .from(schema.modelPrices)
      .where(eq(schema.modelPrices.model, strong))
      .orderBy(desc(schema.modelPrices.version))
      .limit(1);
    await testDb().insert(schema.modelPrices).values({
      id: newId("prc"),
      model: strong,
      version: (latest?.version ?? 0) + 1,
      inputPerMTok: 1_000,
      outputPerMTok: 4_000,
      cachedInputPerMTok: 500,
      validFrom: new Date(),
    });
    signInAs(users.engineer.id);
    // This test process built the runtime already (startConversation without parts): set it aside.
    const global = globalThis as { __switchyardRuntimeParts?: unknown };
    const built = global.__switchyardRuntimeParts;
    global.__switchyardRuntimeParts = undefined;
    let overview: Awaited<ReturnType<typeof getRoutingOverview>>;
    try {
      overview = await getRoutingOverview({ from: since, to: Date.now() + 60_000 });
      // No pollers, LISTEN connection or timers were started to read the prices.
      expect(global.__switchyardRuntimeParts).toBeUndefined();
    } finally {
      global.__switchyardRuntimeParts = built;
    }

    const billing = overview.rows.find((r) => r.agent === "billing")!;
    // The routed calls' tokens at $1,000 / $4,000 per million: far above the built-in $10 / $40.
    expect(billing.topTierCostUsd! / billing.costUsd).toBeGreaterThan(100);
  });

  it("is empty for a window without decisions, and closed to a support lead", async () => {
    signInAs(users.admin.id);
    const empty = await getRoutingOverview({ from: since - 3_600_000, to: since - 1_800_000 });
    expect(empty.rows).toEqual([]);
    expect(empty.recent).toEqual([]);
    signInAs(users.support_lead.id);
    await expect(getRoutingOverview({ from: since, to: Date.now() })).rejects.toBeInstanceOf(AppError);
  });
});
