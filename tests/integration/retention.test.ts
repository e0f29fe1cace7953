import { inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { newId } from "@/lib/ids";
import {
  BREAKER_TRANSITION_RETENTION_MS,
  IDEMPOTENCY_WINDOW_MS,
  RetentionSweeper,
  retentionRules,
} from "@/lib/maintenance/retention";
import { queryRows } from "@/lib/runs/sql";
import { setupTestDatabase, testDb } from "../helpers/db";

setupTestDatabase();

const MINUTE = 60_000;
/** A moment `offsetMs` from the database's now (negative: in the past). */
const at = (offsetMs: number) => sql`now() + ${offsetMs} * interval '1 millisecond'`;

let apiKeyId: string;
let breakerKey: string;

beforeAll(async () => {
  apiKeyId = newId("key");
  await testDb().insert(schema.apiKeys).values({ id: apiKeyId, name: "retention", prefix: "sy_live_rete", keyHash: newId("hash") });
  breakerKey = `tool:retention-${newId("x")}`;
  await testDb().insert(schema.breakers).values({ key: breakerKey });
});

/** Response-cache entries expiring `offsetMs` from now; returns their ids. */
async function cacheEntries(n: number, offsetMs: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId("rch"));
  await testDb()
    .insert(schema.responseCache)
    .values(
      ids.map((id) => ({
        id,
        scope: "console",
        agent: "general",
        agentVersion: 1,
        keyHash: id,
        output: { text: "cached" },
        model: "sim-fast",
        expiresAt: at(offsetMs),
      })),
    );
  return ids;
}

async function idempotencyKeys(n: number, ageMs: number): Promise<string[]> {
  const keys = Array.from({ length: n }, () => newId("idem"));
  await testDb()
    .insert(schema.idempotencyKeys)
    .values(keys.map((key) => ({ apiKeyId, key, requestHash: "h", statusCode: 201, response: {}, createdAt: at(-ageMs) })));
  return keys;
}

async function transitions(n: number, ageMs: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId("brt"));
  await testDb()
    .insert(schema.breakerTransitions)
    .values(
      ids.map((id) => ({
        id,
        breakerKey,
        fromStatus: "closed",
        toStatus: "open",
        reason: "failures",
        consecutiveFailures: 5,
        windowCalls: 5,
        windowFailures: 5,
        at: at(-ageMs),
      })),
    );
  return ids;
}

const cacheLeft = async (ids: string[]) =>
  (await testDb().select({ id: schema.responseCache.id }).from(schema.responseCache).where(inArray(schema.responseCache.id, ids))).length;
const keysLeft = async (keys: string[]) =>
  (await testDb().select({ key: schema.idempotencyKeys.key }).from(schema.idempotencyKeys).where(inArray(schema.idempotencyKeys.key, keys)))
    .length;
const transitionsLeft = async (ids: string[]) =>
  (await testDb().select({ id: schema.breakerTransitions.id }).from(schema.breakerTransitions).where(inArray(schema.breakerTransitions.id, ids)))
    .length;

// Tests in this file run one after another and each drains what it made expired, so the counts a
// sweep reports are exactly the rows the test expects it to delete.
describe("retention", () => {
  it("deletes expired rows of each table and keeps live ones and history", async () => {
    const expiredCache = await cacheEntries(3, -1_000);
    const liveCache = await cacheEntries(2, 60 * MINUTE);
    const oldKeys = await idempotencyKeys(2, IDEMPOTENCY_WINDOW_MS + MINUTE);
    const recentKeys = await idempotencyKeys(2, IDEMPOTENCY_WINDOW_MS - MINUTE);
    const oldTransitions = await transitions(2, BREAKER_TRANSITION_RETENTION_MS + MINUTE);
    const recentTransitions = await transitions(2, BREAKER_TRANSITION_RETENTION_MS - MINUTE);
    const auditId = newId("aud");
    await testDb()
      .insert(schema.auditLog)
      .values({ id: auditId, actorEmail: "a@test", action: "x", targetType: "y", createdAt: at(-3 * 365 * 86_400_000) });

    const counts = await new RetentionSweeper(testDb()).sweep();

    expect(counts).toEqual({ response_cache: 3, idempotency_keys: 2, breaker_transitions: 2 });
    expect(await cacheLeft(expiredCache)).toBe(0);
    expect(await cacheLeft(liveCache)).toBe(2);
    expect(await keysLeft(oldKeys)).toBe(0);
    expect(await keysLeft(recentKeys)).toBe(2);
    expect(await transitionsLeft(oldTransitions)).toBe(0);
    expect(await transitionsLeft(recentTransitions)).toBe(2);
    const audit = await testDb().select().from(schema.auditLog).where(inArray(schema.auditLog.id, [auditId]));
    expect(audit).toHaveLength(1);
  });

  it("deletes at most batchSize × maxBatches rows per table per sweep; the next sweep goes on", async () => {
    const expired = await cacheEntries(25, -1_000);
    const sweeper = new RetentionSweeper(testDb(), { batchSize: 10, maxBatches: 2 });
    expect((await sweeper.sweep()).response_cache).toBe(20);
    expect(await cacheLeft(expired)).toBe(5);
    expect((await sweeper.sweep()).response_cache).toBe(5);
    expect(await cacheLeft(expired)).toBe(0);
    expect((await sweeper.sweep()).response_cache).toBe(0);
  });

  it("sweeps at most once per interval when ticked more often", async () => {
    const sweeper = new RetentionSweeper(testDb(), { everyMs: MINUTE });
    const t0 = 1_000_000;
    expect(await sweeper.tick(t0)).toEqual({ response_cache: 0, idempotency_keys: 0, breaker_transitions: 0 });
    const expired = await cacheEntries(1, -1_000);
    expect(await sweeper.tick(t0 + MINUTE - 1)).toBeNull();
    expect(await cacheLeft(expired)).toBe(1);
    expect((await sweeper.tick(t0 + MINUTE))?.response_cache).toBe(1);
    expect(await cacheLeft(expired)).toBe(0);
  });

  it("several sweepers at once delete each expired row exactly once", async () => {
    const expired = await cacheEntries(40, -1_000);
    const live = await cacheEntries(3, 60 * MINUTE);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => new RetentionSweeper(testDb(), { batchSize: 5, maxBatches: 20 }).sweep()),
    );
    expect(results.reduce((sum, r) => sum + (r.response_cache ?? 0), 0)).toBe(40);
    expect(await cacheLeft(expired)).toBe(0);
    expect(await cacheLeft(live)).toBe(3);
  });

  it("logs a table that fails and still sweeps the others", async () => {
    const expired = await cacheEntries(2, -1_000);
    const broken = { table: "no_such_table", key: ["id"], column: "expires_at", keepMs: 0 };
    const counts = await new RetentionSweeper(testDb(), { rules: [broken, ...retentionRules] }).sweep();
    expect(counts).toEqual({ response_cache: 2, idempotency_keys: 0, breaker_transitions: 0 });
    expect(await cacheLeft(expired)).toBe(0);
  });

  it("picks each batch by an index that leads with the expiry column", async () => {
    for (const rule of retentionRules) {
      const rows = await queryRows<{ index: string }>(
        testDb(),
        sql`select ic.relname as index from pg_index i
          join pg_class t on t.oid = i.indrelid join pg_class ic on ic.oid = i.indexrelid
          join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]
          where t.relname = ${rule.table} and a.attname = ${rule.column}`,
      );
      expect(rows.length, `${rule.table}.${rule.column}`).toBeGreaterThan(0);
    }
  });
});
