import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { acknowledgeAlertAction } from "@/app/(console)/budgets/alert-actions";
import { evaluateAnomalies } from "@/lib/alerts/evaluate";
import { listAnomalyAlerts } from "@/lib/dal/alerts";
import { newId } from "@/lib/ids";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

const HOUR = 3_600_000;
const agents = ["billing", "technical", "triage"] as const;

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
beforeAll(async () => {
  users = await createOneUserPerRole();
});

/**
 * 25 hours of traffic ending with the last complete hour before `now`: per hour one settled run
 * of the three agents and six LLM calls per agent, spend and latency wobbling ±10% around a level.
 * `spike` multiplies one agent's spend in the judged (last) hour.
 */
async function seedHistory(now: number, spike?: { agent: string; factor: number }) {
  const judged = Math.floor(now / HOUR) * HOUR - HOUR;
  for (let h = 0; h <= 24; h++) {
    const hourStart = judged - (24 - h) * HOUR;
    const conversationId = newId("cnv");
    await testDb().insert(schema.conversations).values({ id: conversationId, status: "resolved", chain: "support", createdAt: new Date(hourStart) });
    const runId = newId("run");
    await testDb().insert(schema.runs).values({
      id: runId,
      conversationId,
      chain: "support",
      status: "completed",
      seq: 1,
      checkpoint: {},
      traceId: runId.slice(-32).padStart(32, "0"),
      agents: [...agents],
      createdAt: new Date(hourStart + 60_000),
    });
    const spans = agents.flatMap((agent, k) =>
      Array.from({ length: 6 }, (_, i) => {
        const wobble = 1 + 0.1 * Math.sin(h * 1.7 + k + i);
        const factor = h === 24 && spike?.agent === agent ? spike.factor : 1;
        return {
          traceId: "0".repeat(32),
          spanId: newId("spn").slice(-16),
          runId,
          name: "chat simulator/fast",
          kind: "llm",
          status: "ok",
          agent,
          agentVersion: 1,
          model: "simulator/fast",
          startedAt: new Date(hourStart + (i + 1) * 300_000),
          durationMs: (600 + 100 * k) * wobble,
          costUsd: (0.002 + 0.001 * k) * wobble * factor,
        };
      }),
    );
    await testDb().insert(schema.spans).values(spans);
  }
  return judged;
}

const alertsOf = async () => testDb().select().from(schema.anomalyAlerts);

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

// Each case uses its own day so their windows never overlap.
const steadyNow = Date.UTC(2026, 0, 10, 12, 20);
const spikeNow = Date.UTC(2026, 0, 20, 12, 20);

describe("anomaly alerts (acceptance 4)", () => {
  it("raises nothing for a steady series", async () => {
    await seedHistory(steadyNow);
    const result = await evaluateAnomalies(testDb(), steadyNow);
    expect(result.bucket).toBe(Date.UTC(2026, 0, 10, 11));
    expect(result.anomalies).toEqual([]);
    expect(await alertsOf()).toEqual([]);
  });

  it("raises exactly one alert, for the right agent, on a seeded spend spike; evaluating again adds none", async () => {
    const judged = await seedHistory(spikeNow, { agent: "technical", factor: 5 });
    const first = await evaluateAnomalies(testDb(), spikeNow);
    expect(first.raised).toHaveLength(1);
    const again = await evaluateAnomalies(testDb(), spikeNow + 10 * 60_000);
    expect(again.anomalies).toHaveLength(1);
    expect(again.raised).toEqual([]);
    const alerts = await alertsOf();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ agent: "technical", metric: "spend", rule: "twice_daily_average", windowHours: 24, acknowledgedAt: null });
    expect(alerts[0]!.bucket.getTime()).toBe(judged);
    expect(alerts[0]!.value).toBeGreaterThan(4 * alerts[0]!.baseline);
  });

  it("lists the open alert for engineers and admins", async () => {
    signInAs(users.engineer.id);
    const listed = await listAnomalyAlerts();
    expect(listed.map((a) => [a.agent, a.metric, a.acknowledgedAt])).toEqual([["technical", "spend", null]]);
    signInAs(users.support_lead.id);
    await expect(listAnomalyAlerts()).rejects.toMatchObject({ code: "forbidden" });
  });

  it("is acknowledged by an admin only, audited; refused callers change nothing", async () => {
    const [alert] = await alertsOf();
    for (const user of [users.engineer, users.support_lead]) {
      signInAs(user.id);
      const refused = await acknowledgeAlertAction(null, form({ id: alert!.id }));
      expect(refused).toMatchObject({ ok: false, code: "forbidden" });
    }
    expect((await alertsOf())[0]!.acknowledgedAt).toBeNull();
    const refusedAudits = await testDb().select().from(schema.auditLog).where(eq(schema.auditLog.targetType, "anomaly_alert"));
    expect(refusedAudits).toEqual([]);

    signInAs(users.admin.id);
    expect(await acknowledgeAlertAction(null, form({ id: alert!.id }))).toMatchObject({ ok: true });
    const [after] = await alertsOf();
    expect(after!.acknowledgedBy).toBe(users.admin.id);
    expect(after!.acknowledgedAt).not.toBeNull();
    const audits = await testDb().select().from(schema.auditLog).where(eq(schema.auditLog.targetType, "anomaly_alert"));
    expect(audits).toMatchObject([{ action: "alert.acknowledge", targetId: alert!.id, actorId: users.admin.id }]);

    // A second acknowledgement finds nothing open; the acknowledged hour is never raised again.
    expect(await acknowledgeAlertAction(null, form({ id: alert!.id }))).toMatchObject({ ok: false, code: "not_found" });
    const later = await evaluateAnomalies(testDb(), spikeNow + 20 * 60_000);
    expect(later.raised).toEqual([]);
    expect(await alertsOf()).toHaveLength(1);
  });
});
