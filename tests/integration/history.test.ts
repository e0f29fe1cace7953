import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { arrivalTimes, backfillDemoHistory, HISTORY_MARKER_KEY } from "@/lib/runs/history";
import { queryRows } from "@/lib/runs/sql";
import { setupTestDatabase, testDb } from "../helpers/db";
import { instantParts } from "../helpers/runtime";

setupTestDatabase();

const HOUR = 3_600_000;

describe("demo history backfill", () => {
  it("creates settled conversations with past timestamps over the window, once", async () => {
    await seedDemo(testDb());
    // A fixed end: what arrives when follows the daily rhythm, and only the last 12 hours'
    // escalations stay open, so with the wall clock the outcome depended on the hour the test ran
    // (after midnight UTC the quiet night could leave none open). Mid-afternoon UTC, a busy hour.
    const now = Date.UTC(2026, 10, 20, 16, 0);
    const first = await backfillDemoHistory(testDb(), { now, hours: 72, conversations: 90, parts: instantParts() });
    expect(first.skipped).toBe(false);
    expect(first.conversations).toBe(90);
    // A sanity bound, not a timing test: the real start-up backfill must not take minutes.
    expect(first.ms).toBeLessThan(60_000);

    const conversations = await testDb()
      .select()
      .from(schema.conversations)
      .where(sql`${schema.conversations.metadata}->>'source' = 'demo-history'`);
    expect(conversations).toHaveLength(first.conversations);
    const created = conversations.map((c) => c.createdAt.getTime());
    expect(Math.min(...created)).toBeGreaterThanOrEqual(now - 72 * HOUR);
    expect(Math.max(...created)).toBeLessThan(now);
    // Spread over the whole window: every day of the three has conversations.
    for (let day = 0; day < 3; day++) {
      const from = now - (day + 1) * 24 * HOUR;
      const to = now - day * 24 * HOUR;
      expect(created.filter((t) => t >= from && t < to).length).toBeGreaterThan(5);
    }
    expect(conversations.every((c) => c.status !== "running")).toBe(true);
    expect(conversations.every((c) => c.updatedAt.getTime() >= c.createdAt.getTime())).toBe(true);
    const statuses = new Set(conversations.map((c) => c.status));
    expect(statuses).toContain("waiting_for_customer");
    expect(statuses).toContain("escalated");

    // Runs, events and messages sit at the simulated times, never at the time of the backfill.
    const [stale] = await queryRows<{ runs: number; events: number; messages: number; running: number }>(
      testDb(),
      sql`select
        (select count(*)::int from runs r join conversations c on c.id = r.conversation_id
          where c.metadata->>'source' = 'demo-history' and (r.created_at < c.created_at or r.created_at > ${new Date(now).toISOString()}::timestamptz - interval '4 minutes')) as runs,
        (select count(*)::int from run_events e join runs r on r.id = e.run_id join conversations c on c.id = r.conversation_id
          where c.metadata->>'source' = 'demo-history' and (e.at < c.created_at or e.at > ${new Date(now).toISOString()}::timestamptz)) as events,
        (select count(*)::int from messages m join conversations c on c.id = m.conversation_id
          where c.metadata->>'source' = 'demo-history' and (m.created_at < c.created_at or m.created_at > ${new Date(now).toISOString()}::timestamptz)) as messages,
        (select count(*)::int from runs r join conversations c on c.id = r.conversation_id
          where c.metadata->>'source' = 'demo-history' and r.status = 'running') as running`,
    );
    expect(stale).toEqual({ runs: 0, events: 0, messages: 0, running: 0 });
    const [llm] = await queryRows<{ n: number; slowest: number }>(
      testDb(),
      sql`select count(*)::int as n, max((data->>'latencyMs')::float8) as slowest from run_events where type = 'llm_call'`,
    );
    expect(llm!.n).toBeGreaterThan(first.conversations);
    expect(Number(llm!.slowest)).toBeGreaterThan(100);

    const second = await backfillDemoHistory(testDb(), { now, parts: instantParts() });
    expect(second.skipped).toBe(true);
    const [count] = await testDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.conversations)
      .where(sql`${schema.conversations.metadata}->>'source' = 'demo-history'`);
    expect(count?.n).toBe(first.conversations);
    const [marker] = await testDb().select().from(schema.settings).where(eq(schema.settings.key, HISTORY_MARKER_KEY));
    expect(marker?.value).toMatchObject({ status: "completed", conversations: first.conversations });
  }, 120_000);

  it("follows a daily rhythm: daytime hours are busier than the night", () => {
    let s = 1;
    const random = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
    const end = Date.UTC(2031, 0, 4);
    const times = arrivalTimes(random, end, 72, 3000);
    expect(times.length).toBe(3000);
    const at = (from: number, to: number) =>
      times.filter((t) => new Date(t).getUTCHours() >= from && new Date(t).getUTCHours() < to).length;
    expect(at(10, 16)).toBeGreaterThan(3 * at(0, 6));
    expect(at(0, 6)).toBeGreaterThan(0);
  });
});
