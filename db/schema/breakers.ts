import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Circuit breakers shared by every process: one row per protected thing (`model:<provider/model>`,
 * `agent:<name>`, `tool:<name>`), holding the state of lib/runtime/resilience/breaker.ts. A row
 * is only changed under its row lock (SELECT … FOR UPDATE), so processes never disagree.
 */
export const breakers = pgTable(
  "breakers",
  {
    key: text("key").primaryKey(),
    /** closed | open | half_open */
    status: text("status").notNull().default("closed"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** The failure-rate window: `[{ start, calls, failures }]`, oldest first (epoch ms). */
    window: jsonb("window")
      .notNull()
      .default(sql`'[]'::jsonb`),
    openedAt: timestamp("opened_at", { withTimezone: true }),
    /** While half-open: the probe in flight holds the breaker until then. */
    probeUntil: timestamp("probe_until", { withTimezone: true }),
    /** Opened by a person; stays open without probes until reset. */
    forced: boolean("forced").notNull().default(false),
    lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
    /** Overrides of the default breaker config (partial BreakerConfig); null = defaults. */
    config: jsonb("config"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("breakers_status_idx").on(t.status)],
);

/** Append-only: every transition, with the counts that caused it and the person who forced it. */
export const breakerTransitions = pgTable(
  "breaker_transitions",
  {
    id: text("id").primaryKey(),
    breakerKey: text("breaker_key")
      .notNull()
      .references(() => breakers.key, { onDelete: "cascade" }),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    reason: text("reason").notNull(),
    consecutiveFailures: integer("consecutive_failures").notNull(),
    windowCalls: integer("window_calls").notNull(),
    windowFailures: integer("window_failures").notNull(),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorEmail: text("actor_email"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("breaker_transitions_key_at_idx").on(t.breakerKey, t.at.desc()),
    index("breaker_transitions_at_idx").on(t.at.desc()),
  ],
);
