import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { seedDemo } from "@/db/seed";
import type * as Conversations from "@/lib/runs/conversations";
import { TRAFFIC_SETTING_KEY, TrafficGenerator, type TrafficOptions } from "@/lib/runs/traffic";
import { auditRowsBy, createOneUserPerRole, setupTestDatabase, testDb } from "../helpers/db";
import { instantParts, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

// Counts how many starts run at once, around the real startConversation.
const inflight = { now: 0, max: 0 };
vi.mock("@/lib/runs/conversations", async (importOriginal) => {
  const real = await importOriginal<typeof Conversations>();
  return {
    ...real,
    startConversation: async (...args: Parameters<typeof real.startConversation>) => {
      inflight.now++;
      inflight.max = Math.max(inflight.max, inflight.now);
      try {
        // Slower than the interval, so an overlapping scheduler would show up here.
        await new Promise((r) => setTimeout(r, 15));
        return await real.startConversation(...args);
      } finally {
        inflight.now--;
      }
    },
  };
});

setupTestDatabase();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const generators: TrafficGenerator[] = [];

function generator(options: Partial<TrafficOptions> = {}) {
  let s = 42;
  const random = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const g = new TrafficGenerator({
    db: testDb(),
    parts: instantParts(),
    random,
    firstDelayMs: 0,
    intervalMs: { min: 5, max: 5 },
    quietChance: 0,
    followUpChance: 0,
    disabledPollMs: 10,
    ...options,
  });
  generators.push(g);
  return g;
}

async function generated() {
  return testDb()
    .select()
    .from(schema.conversations)
    .where(sql`${schema.conversations.metadata}->>'source' = 'traffic-generator'`);
}

async function setEnabled(enabled: boolean) {
  await testDb()
    .insert(schema.settings)
    .values({ key: TRAFFIC_SETTING_KEY, value: { enabled } })
    .onConflictDoUpdate({ target: schema.settings.key, set: { value: { enabled } } });
}

afterEach(async () => {
  await Promise.all(generators.splice(0).map((g) => g.stop()));
  await testDb().delete(schema.settings).where(eq(schema.settings.key, TRAFFIC_SETTING_KEY));
});

describe("demo traffic generator", () => {
  it("starts simulated customer conversations at its pace, one at a time, answered by the worker", async () => {
    await seedDemo(testDb());
    const before = (await generated()).length;
    inflight.max = 0;
    const g = generator();
    g.start();
    await sleep(600);
    await g.stop();
    const rows = (await generated()).slice(before);
    // 5 ms gaps plus a 15 ms start: a handful, never hundreds, and never two starts at once.
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.length).toBeLessThan(60);
    expect(inflight.max).toBe(1);
    const [demoKey] = await testDb().select({ id: schema.apiKeys.id }).from(schema.apiKeys);
    for (const row of rows) {
      expect(row.customerId).toMatch(/^sim-cust-\d{4}$/);
      expect(row.apiKeyId).toBe(demoKey?.id);
      expect(row.metadata).toEqual({ source: "traffic-generator" });
    }
    // Nothing more after stop().
    await sleep(50);
    expect((await generated()).length).toBe(before + rows.length);

    const worker = testWorker();
    await worker.start();
    try {
      const settled = await settledConversation(rows[0]!.id);
      expect(settled.status).not.toBe("running");
    } finally {
      await worker.stop();
    }
  });

  it("answers busy instead of running two ticks at once", async () => {
    const g = generator();
    const outcomes = await Promise.all([g.tick(), g.tick()]);
    expect(outcomes.sort()).toEqual(["busy", "started"]);
  });

  it("does nothing while the settings row says disabled, and resumes within moments when enabled", async () => {
    await setEnabled(false);
    const before = (await generated()).length;
    const g = generator();
    expect(await g.tick()).toBe("disabled");
    g.start();
    await sleep(200);
    expect((await generated()).length).toBe(before);

    await setEnabled(true);
    const deadline = Date.now() + 5_000;
    while ((await generated()).length === before && Date.now() < deadline) await sleep(10);
    expect((await generated()).length).toBeGreaterThan(before);

    await setEnabled(false);
    await sleep(50); // a tick in progress may finish
    const after = (await generated()).length;
    await sleep(200);
    expect((await generated()).length).toBe(after);
  });

  it("continues a conversation that waits for its customer", async () => {
    const g = generator({ followUpChance: 1 });
    const worker = testWorker();
    await worker.start();
    try {
      // Earlier tests left runs for this worker. They settle first: a run settling after the
      // update below would reopen its conversation as waiting for its customer.
      for (const c of await generated()) await settledConversation(c.id);
      // Earlier tests' conversations are closed, so the only candidate is the one started here.
      await testDb()
        .update(schema.conversations)
        .set({ status: "resolved" })
        .where(sql`${schema.conversations.metadata}->>'source' = 'traffic-generator'`);
      const known = new Set((await generated()).map((c) => c.id));
      // No conversation waits for its customer: the tick starts a new one instead.
      expect(await g.tick()).toBe("started");
      const first = (await generated()).find((c) => !known.has(c.id));
      await settledConversation(first!.id);
      await testDb()
        .update(schema.conversations)
        .set({ status: "waiting_for_customer", updatedAt: new Date() })
        .where(eq(schema.conversations.id, first!.id));
      expect(await g.tick()).toBe("followed_up");
      const messages = await testDb()
        .select()
        .from(schema.messages)
        .where(eq(schema.messages.conversationId, first!.id));
      expect(messages.filter((m) => m.role === "customer")).toHaveLength(2);
    } finally {
      await worker.stop();
    }
  });
});

describe("the demo traffic switch", () => {
  it("lets an engineer turn it off (audited), refuses a support lead, and saves nothing on bad input", async () => {
    const { setDemoTrafficAction } = await import("@/app/(console)/settings/traffic-actions");
    const users = await createOneUserPerRole();
    const form = (fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.set(k, v);
      return f;
    };
    const stored = async () =>
      (await testDb().select().from(schema.settings).where(eq(schema.settings.key, TRAFFIC_SETTING_KEY)))[0];

    signInAs(users.support_lead.id);
    expect(await setDemoTrafficAction(null, form({ enabled: "false" }))).toMatchObject({ ok: false, code: "forbidden" });
    expect(await stored()).toBeUndefined();

    signInAs(users.engineer.id);
    expect(await setDemoTrafficAction(null, form({ enabled: "maybe" }))).toMatchObject({ ok: false, code: "invalid" });
    expect(await setDemoTrafficAction(null, form({}))).toMatchObject({ ok: false, code: "invalid" });
    expect(await stored()).toBeUndefined();
    expect(await auditRowsBy(users.engineer.id)).toEqual([]);

    expect(await setDemoTrafficAction(null, form({ enabled: "false" }))).toEqual({ ok: true, data: { enabled: false } });
    expect((await stored())?.value).toEqual({ enabled: false });
    expect((await stored())?.updatedBy).toBe(users.engineer.id);
    const audit = await auditRowsBy(users.engineer.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "settings.traffic", before: null, after: { enabled: false } });

    expect(await generator().tick()).toBe("disabled");

    expect(await setDemoTrafficAction(null, form({ enabled: "true" }))).toEqual({ ok: true, data: { enabled: true } });
    const audits = await auditRowsBy(users.engineer.id);
    expect(audits.map((a) => a.before)).toContainEqual({ enabled: false });
    expect(await auditRowsBy(users.support_lead.id)).toEqual([]);
  });
});
