import { sql } from "drizzle-orm";
import { doublePrecision, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Anomaly alerts raised by the periodic evaluator (lib/alerts/evaluate.ts): one per agent, metric
 * and judged hour. At most one alert per agent and metric is open (unacknowledged) at a time, and
 * an hour is never alerted twice, so evaluating again, or in several processes at once, adds
 * nothing (both are unique indexes; the insert does nothing on conflict).
 */
export const anomalyAlerts = pgTable(
  "anomaly_alerts",
  {
    id: text("id").primaryKey(),
    agent: text("agent").notNull(),
    /** spend | latency | error_rate | escalation_rate (lib/alerts/detect.ts). */
    metric: text("metric").notNull(),
    /** The judged hour's value: USD, ms, or a share between 0 and 1. */
    value: doublePrecision("value").notNull(),
    /** Mean and standard deviation of the rolling window before the judged hour. */
    baseline: doublePrecision("baseline").notNull(),
    baselineStd: doublePrecision("baseline_std").notNull(),
    /** twice_daily_average | two_std */
    rule: text("rule").notNull(),
    /** Start of the judged hour. */
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    /** Hours of baseline the value was judged against. */
    windowHours: integer("window_hours").notNull(),
    raisedAt: timestamp("raised_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedBy: text("acknowledged_by").references(() => users.id, { onDelete: "set null" }),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("anomaly_alerts_open_idx")
      .on(t.agent, t.metric)
      .where(sql`${t.acknowledgedAt} is null`),
    uniqueIndex("anomaly_alerts_bucket_idx").on(t.agent, t.metric, t.bucket),
    index("anomaly_alerts_raised_idx").on(t.raisedAt.desc()),
  ],
);
