import { sql } from "drizzle-orm";
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { conversations, runs } from "./conversations";
import { users } from "./users";

/** `escalated`: the run stopped and a person takes over; the others: the run is parked for them. */
export const escalationKindEnum = pgEnum("escalation_kind", [
  "escalated",
  "tool_approval",
  "human_review",
]);

/** `handed_back`: the agents continue (a decision or a hand-back); `resolved`: a person closed it. */
export const escalationStatusEnum = pgEnum("escalation_status", [
  "open",
  "claimed",
  "resolved",
  "handed_back",
]);

/**
 * The support leads' inbox: one row per settlement of a run that needs a person. It is written by
 * the run's settling commit itself (lib/runs/escalation-commit.ts), in the same statement, so a
 * conversation is never escalated without its inbox entry. Priority and SLA come from the reason
 * (lib/escalations/policy.ts).
 */
export const escalations = pgTable(
  "escalations",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** The seq of the settling commit: (run_id, run_seq) makes each settlement one entry. */
    runSeq: integer("run_seq").notNull(),
    /** A runtime escalation reason, or `tool_approval` / `human_review` for a parked run. */
    reason: text("reason").notNull(),
    detail: text("detail"),
    kind: escalationKindEnum("kind").notNull(),
    /** The agent the escalation is attributed to (whose call waits, or who was working). */
    agent: text("agent"),
    /** 1 is the most urgent. */
    priority: integer("priority").notNull(),
    slaDueAt: timestamp("sla_due_at", { withTimezone: true }).notNull(),
    status: escalationStatusEnum("status").notNull().default("open"),
    claimedBy: text("claimed_by").references(() => users.id, { onDelete: "set null" }),
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    resolvedBy: text("resolved_by").references(() => users.id, { onDelete: "set null" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("escalations_settlement_idx").on(t.runId, t.runSeq),
    // The inbox: what still needs a person, most urgent first.
    index("escalations_queue_idx")
      .on(t.priority, t.slaDueAt, t.id)
      .where(sql`${t.status} in ('open', 'claimed')`),
    index("escalations_conversation_idx").on(t.conversationId, t.createdAt),
  ],
);
