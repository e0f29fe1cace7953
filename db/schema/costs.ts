import { sql } from "drizzle-orm";
import {
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Versioned price table, USD per million tokens. A change never updates a row: it adds the next
 * version of the model's price, valid from a moment on, so every past call keeps the price it was
 * charged at and the history stays readable. Version 1 of each built-in model is seeded
 * (lib/costs/seed-prices.ts).
 */
export const modelPrices = pgTable(
  "model_prices",
  {
    id: text("id").primaryKey(),
    model: text("model").notNull(),
    version: integer("version").notNull(),
    inputPerMTok: doublePrecision("input_per_mtok").notNull(),
    outputPerMTok: doublePrecision("output_per_mtok").notNull(),
    cachedInputPerMTok: doublePrecision("cached_input_per_mtok").notNull(),
    validFrom: timestamp("valid_from", { withTimezone: true }).notNull().defaultNow(),
    /** Null for the seeded built-in prices. */
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("model_prices_model_version_idx").on(t.model, t.version),
    index("model_prices_model_valid_from_idx").on(t.model, t.validFrom),
  ],
);

/**
 * Spend limits in USD, one row per scope:
 * `conversation:default`, `conversation:chain:<chain>`, `daily:global`, `daily:agent:<agent>`,
 * `daily:api_key:<api key id>`. Changes are audited (before/after) in the same transaction.
 */
export const budgets = pgTable("budgets", {
  scope: text("scope").primaryKey(),
  limitUsd: doublePrecision("limit_usd").notNull(),
  updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Today's spend per daily scope, kept by the SpendGate (lib/costs/spend-gate.ts): a call reserves
 * its cost bound here before it is made (a row lock serialises workers) and settles its real cost
 * afterwards. Days are UTC dates.
 */
export const budgetSpend = pgTable(
  "budget_spend",
  {
    scope: text("scope").notNull(),
    day: date("day").notNull(),
    spentUsd: doublePrecision("spent_usd").notNull().default(0),
    reservedUsd: doublePrecision("reserved_usd").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "budget_spend_pkey", columns: [t.scope, t.day] })],
);

/** Calls in flight against daily budgets; one that never settles (its process died) expires. */
export const budgetReservations = pgTable(
  "budget_reservations",
  {
    id: text("id").primaryKey(),
    day: date("day").notNull(),
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    amountUsd: doublePrecision("amount_usd").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("budget_reservations_expires_idx").on(t.expiresAt)],
);
