import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { updateSimulatorSettingsAction } from "@/app/(console)/settings/simulator-actions";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { getSimulatorSettings, updateSimulatorSettings } from "@/lib/dal/simulator-settings";
import { createSimulatorModel } from "@/lib/providers/simulator";
import { defaultSimulatorConfig, SIMULATOR_SETTINGS_KEY, simulatorConfigSchema } from "@/lib/providers/simulator/config";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { simulatorSettingsSource, type SimulatorSettingsSource } from "@/lib/runs/simulator-settings";
import { ToolRegistry } from "@/lib/runtime";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

const TTL_MS = 150;
let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
let source: SimulatorSettingsSource;
let worker: ReturnType<typeof testWorker>;
let parts: RuntimeParts;

beforeAll(async () => {
  users = await createOneUserPerRole();
  source = simulatorSettingsSource(testDb(), { ttlMs: TTL_MS });
  parts = {
    chains: [supportChain],
    tools: new ToolRegistry(supportTools),
    model: createSimulatorModel(source),
  };
  worker = testWorker(parts);
  await worker.start();
});
afterAll(async () => {
  source.stop();
  await worker.stop();
});

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

/** A valid form: instant latency, and one rule for the given agent with the given percentages. */
function settingsForm(rule: Record<string, string> = {}, agent = "all"): Record<string, string> {
  return {
    seed: "3",
    "latency.medianMs": "0",
    "latency.p95Ms": "0",
    "latency.maxMs": "0",
    timeoutMs: "0",
    "faults.0.target.agent": agent,
    "faults.0.target.tier": "all",
    "faults.0.retryAfterMs": "1500",
    ...Object.fromEntries(Object.entries(rule).map(([k, v]) => [`faults.0.rates.${k}`, v])),
  };
}

async function storedRow() {
  const [row] = await testDb().select().from(schema.settings).where(eq(schema.settings.key, SIMULATOR_SETTINGS_KEY));
  return row;
}

const auditOf = (actorId: string) =>
  testDb()
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.actorId, actorId), eq(schema.auditLog.action, "simulator.update")));

describe("simulator settings", () => {
  it("an engineer saves them through the action, audited with before and after", async () => {
    signInAs(users.engineer.id);
    const first = await updateSimulatorSettingsAction(
      null,
      form({ ...settingsForm({ server_error: "12.5" }, "billing"), "faults.0.retryAfterMs": "2500" }),
    );
    expect(first).toEqual({ ok: true, data: { faultRules: 1 } });
    const saved = await storedRow();
    expect(saved?.updatedBy).toBe(users.engineer.id);
    expect(saved?.value).toMatchObject({
      seed: 3,
      latency: { medianMs: 0, p95Ms: 0, maxMs: 0 },
      faults: [{ target: { agent: "billing" }, rates: { server_error: 0.125, rate_limit: 0 }, retryAfterMs: 2500 }],
    });

    const second = await updateSimulatorSettingsAction(null, form({ ...settingsForm(), "faults.0.target.tier": "fast" }));
    expect(second.ok).toBe(true);
    const audits = await auditOf(users.engineer.id);
    expect(audits).toHaveLength(2);
    const last = audits.find((a) => a.before !== null)!;
    expect(last).toMatchObject({ targetType: "settings", targetId: "simulator", actorEmail: users.engineer.email });
    expect(last.before).toEqual(saved?.value);
    expect(last.after).toEqual((await storedRow())?.value);
    expect((last.after as { faults: { target: unknown }[] }).faults[0]?.target).toEqual({ tier: "fast" });

    const dto = await getSimulatorSettings();
    expect(dto).toMatchObject({ source: "stored", updatedByEmail: users.engineer.email });
    expect(dto.config.faults[0]?.target).toEqual({ tier: "fast" });
  });

  it("refuses a support lead and an anonymous caller and changes nothing", async () => {
    signInAs(users.engineer.id);
    await updateSimulatorSettingsAction(null, form(settingsForm()));
    const before = await storedRow();
    for (const [who, code] of [[users.support_lead.id, "forbidden"], [null, "unauthorized"]] as const) {
      signInAs(who);
      const result = await updateSimulatorSettingsAction(null, form(settingsForm({ rate_limit: "100" })));
      expect(result).toMatchObject({ ok: false, code });
    }
    expect(await storedRow()).toEqual(before);
    expect(await auditOf(users.support_lead.id)).toEqual([]);
  });

  it("answers invalid values with field errors named like the fields, and saves nothing", async () => {
    signInAs(users.engineer.id);
    await updateSimulatorSettingsAction(null, form(settingsForm()));
    const before = await storedRow();
    const auditsBefore = (await auditOf(users.engineer.id)).length;
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ ...settingsForm(), "faults.0.rates.timeout": "140" }, "faults.0.rates.timeout", /Between 0 and 100%/],
      [{ ...settingsForm(), "faults.0.rates.rate_limit": "abc" }, "faults.0.rates.rate_limit", /percentage/],
      [settingsForm({ rate_limit: "60", server_error: "50" }), "faults.0.rates", /at most 100%/],
      [{ ...settingsForm(), "latency.medianMs": "500", "latency.p95Ms": "100", "latency.maxMs": "1000" }, "latency.p95Ms", /below the median/],
      [{ ...settingsForm(), "latency.maxMs": "90000", "latency.p95Ms": "100", "latency.medianMs": "10" }, "latency.maxMs", /At most 60000/],
      [{ ...settingsForm(), seed: "" }, "seed", /Enter a number/],
      [{ ...settingsForm(), seed: "1.5" }, "seed", /whole number/],
      [{ ...settingsForm(), "faults.0.target.agent": "Not An Agent" }, "faults.0.target.agent", /agent name/],
      [{ ...settingsForm(), "faults.0.target.tier": "huge" }, "faults.0.target.tier", /./],
    ];
    for (const [fields, field, message] of cases) {
      const result = await updateSimulatorSettingsAction(null, form(fields));
      expect(result, field).toMatchObject({ ok: false, code: "invalid" });
      const errors = result.ok ? {} : (result.fieldErrors ?? {});
      expect(Object.keys(errors), field).toEqual([field]);
      expect(errors[field]?.join(" ")).toMatch(message);
    }
    expect(await storedRow()).toEqual(before);
    expect(await auditOf(users.engineer.id)).toHaveLength(auditsBefore);
  });

  it("a running worker follows a change to the settings row within the TTL", async () => {
    signInAs(users.engineer.id);
    const engineer = { ...users.engineer, name: "Test engineer" };
    await updateSimulatorSettings(engineer, simulatorConfigSchema.parse({ latency: { medianMs: 0, p95Ms: 0, maxMs: 0 } }));
    await source.refresh();

    const calm = await startConversation(testDb(), { message: "hello there", apiKeyId: null }, parts);
    expect((await settledConversation(calm.id)).status).toBe("waiting_for_customer");

    const changedAt = Date.now();
    await updateSimulatorSettingsAction(null, form(settingsForm({ rate_limit: "100" })));
    while (source().faults.length === 0) {
      expect(Date.now() - changedAt, "source picked up the change").toBeLessThan(TTL_MS + 1_000);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(Date.now() - changedAt).toBeLessThan(TTL_MS * 2 + 250);

    const limited = await startConversation(testDb(), { message: "hello there", apiKeyId: null }, parts);
    expect((await settledConversation(limited.id)).status).toBe("escalated");
    const [run] = await runsOf(limited.id);
    const call = (await eventsOf(run!.id)).find((e) => e.type === "llm_call");
    expect(call?.data).toMatchObject({ finish: "error", error: { kind: "rate_limit", retryAfterMs: 1500 } });
  });

  it("falls back to the defaults on an invalid stored value, and says so once", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await testDb()
      .update(schema.settings)
      .set({ value: { seed: "not a number", faults: [{ rates: { rate_limit: 7 } }] } })
      .where(eq(schema.settings.key, SIMULATOR_SETTINGS_KEY));
    const own = simulatorSettingsSource(testDb(), { ttlMs: 60_000 });
    const warnings = () => warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("simulator settings are invalid"));
    try {
      await own.ready;
      expect(own()).toEqual(defaultSimulatorConfig());
      // The worker's source held the 429 rule from the previous test; it drops it within the TTL.
      const changedAt = Date.now();
      while (source().faults.length > 0) {
        expect(Date.now() - changedAt).toBeLessThan(TTL_MS + 1_000);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(source()).toEqual(defaultSimulatorConfig());
      // Once per source, however often it refreshes.
      expect(warnings()).toHaveLength(2);
      await Promise.all([own.refresh(), source.refresh()]);
      await Promise.all([own.refresh(), source.refresh()]);
      expect(warnings()).toHaveLength(2);
      signInAs(users.engineer.id);
      expect(await getSimulatorSettings()).toMatchObject({ source: "invalid", config: defaultSimulatorConfig() });
    } finally {
      own.stop();
      warn.mockRestore();
    }
  });
});
