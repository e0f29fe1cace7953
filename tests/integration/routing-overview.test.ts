import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getRoutingOverview } from "@/lib/dal/routing";
import { AppError } from "@/lib/errors";
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

  it("is empty for a window without decisions, and closed to a support lead", async () => {
    signInAs(users.admin.id);
    const empty = await getRoutingOverview({ from: since - 3_600_000, to: since - 1_800_000 });
    expect(empty.rows).toEqual([]);
    expect(empty.recent).toEqual([]);
    signInAs(users.support_lead.id);
    await expect(getRoutingOverview({ from: since, to: Date.now() })).rejects.toBeInstanceOf(AppError);
  });
});
