import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The central rate limiter's shared state (lib/runs/pg-rate-limiter.ts): every model call granted
 * in the last window, per provider/model key, and the callers still waiting for a slot. Times are
 * the database's clock, so processes on different machines agree on the window.
 */
export const rateLimitGrants = pgTable(
  "rate_limit_grants",
  {
    id: text("id").primaryKey(),
    key: text("key").notNull(),
    /** runs.priority of the caller: 0 = live conversation, higher = batch work. */
    priority: integer("priority").notNull(),
    /** Estimated when granted; corrected to the call's real usage afterwards. */
    tokens: integer("tokens").notNull(),
    grantedAt: timestamp("granted_at", { withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [index("rate_limit_grants_key_at_idx").on(t.key, t.grantedAt)],
);

/** Callers queued for a slot; a waiter that stops renewing its row (its process died) lapses. */
export const rateLimitWaiters = pgTable(
  "rate_limit_waiters",
  {
    id: text("id").primaryKey(),
    key: text("key").notNull(),
    priority: integer("priority").notNull(),
    since: timestamp("since", { withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("rate_limit_waiters_key_idx").on(t.key, t.priority)],
);
