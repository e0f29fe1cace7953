import { sql } from "drizzle-orm";
import {
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgEnum,
  pgTable,
  pgView,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { apiKeys } from "./api-keys";

/** The public API's conversation status (DESIGN.md contract). */
export const conversationStatusEnum = pgEnum("conversation_status", [
  "running",
  "waiting_for_customer",
  "escalated",
  "resolved",
  "failed",
]);

export const messageRoleEnum = pgEnum("message_role", ["customer", "agent", "human"]);

export const conversations = pgTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    status: conversationStatusEnum("status").notNull(),
    chain: text("chain").notNull(),
    customerId: text("customer_id"),
    apiKeyId: text("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    metadata: jsonb("metadata").notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("conversations_created_at_idx").on(t.createdAt.desc(), t.id.desc()),
    index("conversations_status_idx").on(t.status, t.updatedAt),
    index("conversations_api_key_idx").on(t.apiKeyId, t.createdAt),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: messageRoleEnum("role").notNull(),
    /** The agent that wrote an agent message; the user id for a human reply. */
    author: text("author"),
    runId: text("run_id"),
    content: text("content").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("messages_conversation_idx").on(t.conversationId, t.createdAt, t.id)],
);

/**
 * One run per conversation turn. The row is both the run's checkpoint and its place in the work
 * queue: a worker claims it by taking the lease, which its heartbeat and every commit that stores
 * a checkpoint renew. Every commit after the creation is guarded by its `run_steps` row's key and
 * checks the lease, so a stale worker can neither fork the run nor keep it. A mid-run step that
 * leaves its checkpoint to the log does not write this row (docs/step-log.md, phase B): `seq`,
 * `checkpoint` and the trace's totals are those of the last stored checkpoint, and the run's
 * steps since are the `run_steps` rows after `seq`.
 */
export const runs = pgTable(
  "runs",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    chain: text("chain").notNull(),
    status: text("status").notNull(),
    seq: integer("seq").notNull(),
    // json, not jsonb, like `run_steps.events`: a replay starts from this text and must see its
    // keys in the order the runtime wrote them (migration 0019).
    checkpoint: json("checkpoint").notNull(),
    /**
     * Phase C only: the seq of `checkpoint` when it is behind `seq` (a deferred step then updated
     * `seq` and the totals). Since phase B no commit sets it, and a stored checkpoint clears it;
     * a load replays the `run_steps` rows after it, or after `seq` when null
     * (lib/runtime/log-replay).
     */
    checkpointSeq: integer("checkpoint_seq"),
    /** W3C trace id (32 hex chars) of this turn's trace. */
    traceId: text("trace_id").notNull(),
    /** 0 = live conversation; higher numbers are served after (evaluations, replays). */
    priority: integer("priority").notNull().default(0),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    /** Claims so far; a run that keeps killing its workers is failed after a bound. */
    claims: integer("claims").notNull().default(0),
    /** Earliest time a worker may claim it (back-off after an error). */
    availableAt: timestamp("available_at", { withTimezone: true }).notNull().defaultNow(),
    // The trace's totals, kept current by every step commit so trace lists filter and sort on
    // indexed columns instead of aggregating spans.
    endedAt: timestamp("ended_at", { withTimezone: true }),
    durationMs: doublePrecision("duration_ms"),
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    llmCalls: integer("llm_calls").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    agents: text("agents").array().notNull().default(sql`'{}'::text[]`),
    models: text("models").array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The claim query scans only runs that still need a worker.
    index("runs_claimable_idx")
      .on(t.priority, t.availableAt)
      .where(sql`${t.status} = 'running'`),
    index("runs_conversation_idx").on(t.conversationId, t.createdAt),
    index("runs_created_at_idx").on(t.createdAt.desc(), t.id.desc()),
    // No index on `agents` or `models`: a step that adds an agent (most steps of a pipeline)
    // changes them, and an indexed column makes the update non-HOT, so every index of the row
    // took an entry per step. The trace list filters them within its time window instead.
  ],
);

/**
 * The run's event log, one row per commit: `events` holds that commit's events in seq order, each
 * as the runtime made it minus `runId`, and `seq` is the first of them. Append-only: never
 * updated. One row per commit rather than per event saves each event a heap tuple, a WAL record
 * and a primary-key entry (docs/step-log.md, phase A). (run_id, seq) makes a fork impossible to
 * write twice: two writers of the same step start at the same seq.
 * No foreign key to `runs`: the only writer (lib/runs/commit-runs.ts) inserts a step from the run
 * row its own statement just wrote, and a key check per row cost every step a trigger and a
 * WAL-logged row lock on the run. Whatever deletes runs must delete their steps too.
 */
export const runSteps = pgTable(
  "run_steps",
  {
    runId: text("run_id").notNull(),
    seq: integer("seq").notNull(),
    // json, not jsonb: the text as the runtime wrote it, keys in its order. A replay rebuilds
    // messages that quote tool outcomes and answers (JSON.stringify), so it must get back the
    // same key order; jsonb would re-sort it (migration 0018).
    events: json("events").notNull(),
  },
  (t) => [primaryKey({ name: "run_steps_pkey", columns: [t.runId, t.seq] })],
);

/**
 * The events one per row, as every reader takes them: a view over `run_steps` (migration 0014).
 * `data` is the event without the columns beside it, `type` included. A filter on `run_id` reaches
 * the steps' primary key; one on `seq` or `type` is applied to a run's unnested events.
 */
export const runEvents = pgView("run_events", {
  runId: text("run_id").notNull(),
  seq: integer("seq").notNull(),
  type: text("type").notNull(),
  agent: text("agent"),
  agentVersion: integer("agent_version"),
  at: timestamp("at", { withTimezone: true }).notNull(),
  data: jsonb("data").notNull(),
}).existing();

/** Tool-call idempotency: the intent is written before the effect, the outcome after it. */
export const toolLedger = pgTable(
  "tool_ledger",
  {
    key: text("key").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    tool: text("tool").notNull(),
    input: jsonb("input"),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(1),
    result: jsonb("result"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("tool_ledger_run_idx").on(t.runId)],
);
