import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { breakers, breakerTransitions } from "@/db/schema";
import { newId } from "@/lib/ids";
import {
  applyBreakerEvent,
  type BreakerConfig,
  type BreakerEvent,
  type BreakerResult,
  type BreakerState,
  breakerStatuses,
  defaultBreakerConfig,
  windowCounts,
} from "@/lib/runtime";

/** A transaction or the pool: both run the same queries. */
export type Queryable = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

/** NOTIFY channel for breaker transitions: other processes refresh their cache at once. */
export const BREAKERS_CHANNEL = "switchyard_breakers";

const windowSchema = z.array(
  z.object({ start: z.number(), calls: z.number().int(), failures: z.number().int() }),
);

const configOverridesSchema = z
  .object({
    consecutiveFailures: z.number().int().min(1),
    failureRate: z.number().gt(0).max(1),
    minimumCalls: z.number().int().min(1),
    windowMs: z.number().int().min(1_000),
    bucketMs: z.number().int().min(100),
    cooldownMs: z.number().int().min(100),
    probeTimeoutMs: z.number().int().min(100),
  })
  .partial();

export type BreakerRow = typeof breakers.$inferSelect;

/** The pure state of a stored row; a row that no longer parses counts as closed and empty. */
export function stateOfRow(row: BreakerRow): BreakerState {
  const status = breakerStatuses.find((s) => s === row.status) ?? "closed";
  const window = windowSchema.safeParse(row.window);
  return {
    status,
    consecutiveFailures: row.consecutiveFailures,
    window: window.success ? window.data : [],
    openedAt: row.openedAt?.getTime() ?? null,
    probeUntil: row.probeUntil?.getTime() ?? null,
    forced: row.forced,
    lastFailureAt: row.lastFailureAt?.getTime() ?? null,
  };
}

/** The row's config: the process's defaults for the key with the row's overrides on top. */
export function configOfRow(row: Pick<BreakerRow, "config">, base: BreakerConfig): BreakerConfig {
  const overrides = configOverridesSchema.safeParse(row.config ?? {});
  return { ...base, ...(overrides.success ? overrides.data : {}) };
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export interface Actor {
  readonly id: string;
  readonly email: string;
}

/**
 * Applies one event to one breaker atomically: creates the row if needed, locks it, runs the
 * pure transition, writes the new state and the transition row (and a NOTIFY) in the caller's
 * transaction. Callers outside a transaction should use {@link applyLocked}.
 */
export async function applyInTransaction(
  tx: Queryable,
  key: string,
  event: BreakerEvent,
  now: number,
  base: BreakerConfig,
  actor?: Actor,
): Promise<BreakerResult & { config: BreakerConfig }> {
  await tx.insert(breakers).values({ key }).onConflictDoNothing();
  const [row] = await tx.select().from(breakers).where(eq(breakers.key, key)).for("update");
  if (!row) throw new Error(`breaker ${key} vanished under its lock`);
  const config = configOfRow(row, base);
  const before = stateOfRow(row);
  const result = applyBreakerEvent(before, event, config, now);
  if (result.state !== before) {
    const s = result.state;
    await tx
      .update(breakers)
      .set({
        status: s.status,
        consecutiveFailures: s.consecutiveFailures,
        window: s.window,
        openedAt: date(s.openedAt),
        probeUntil: date(s.probeUntil),
        forced: s.forced,
        lastFailureAt: date(s.lastFailureAt),
        updatedAt: new Date(now),
      })
      .where(eq(breakers.key, key));
  }
  if (result.transition) {
    // A breaker that closes starts from zero: record the counts it had when it closed.
    const counted = result.transition.to === "closed" ? before : result.state;
    const counts = windowCounts(counted, config, now);
    await tx.insert(breakerTransitions).values({
      id: newId("btr", now),
      breakerKey: key,
      fromStatus: result.transition.from,
      toStatus: result.transition.to,
      reason: result.transition.reason,
      consecutiveFailures: counted.consecutiveFailures,
      windowCalls: counts.calls,
      windowFailures: counts.failures,
      actorId: actor?.id ?? null,
      actorEmail: actor?.email ?? null,
      at: new Date(now),
    });
    await tx.execute(sql`select pg_notify(${BREAKERS_CHANNEL}, ${key})`);
  }
  return { ...result, config };
}

/** {@link applyInTransaction} in a transaction of its own. */
export function applyLocked(
  db: Database,
  key: string,
  event: BreakerEvent,
  now: number,
  base: BreakerConfig = defaultBreakerConfig,
  actor?: Actor,
): Promise<BreakerResult & { config: BreakerConfig }> {
  return db.transaction((tx) => applyInTransaction(tx, key, event, now, base, actor));
}
