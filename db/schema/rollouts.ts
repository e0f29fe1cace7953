import { sql } from "drizzle-orm";
import {
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { conversations, runs } from "./conversations";
import { users } from "./users";

/**
 * Agent versions created in the console. Each derives from the code-defined base version of its
 * agent (lib/runtime/rollout/derive.ts): same handoffs and output schema, its own instructions,
 * tier, tool subset and limits. Immutable once a run used it: the data layer refuses the edit and
 * a trigger (migration `agent_versions_immutable`) refuses it for any other writer too.
 */
export const agentVersions = pgTable(
  "agent_versions",
  {
    id: text("id").primaryKey(),
    chain: text("chain").notNull(),
    agent: text("agent").notNull(),
    version: integer("version").notNull(),
    baseVersion: integer("base_version").notNull(),
    instructions: text("instructions").notNull(),
    modelTier: text("model_tier").notNull(),
    tools: text("tools").array().notNull(),
    limits: jsonb("limits").notNull().default({}),
    /** What changed and why, for the people reviewing the rollout. */
    note: text("note").notNull().default(""),
    /** `draft` until a rollout starts with it, then `active`. */
    status: text("status").notNull().default("draft"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    firstUsedAt: timestamp("first_used_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("agent_versions_agent_version_key").on(t.agent, t.version),
    index("agent_versions_created_at_idx").on(t.createdAt),
    check("agent_versions_status_check", sql`${t.status} in ('draft', 'active')`),
  ],
);

/** A canary of one agent's version against its stable version, moving through stages. */
export const rollouts = pgTable(
  "rollouts",
  {
    id: text("id").primaryKey(),
    chain: text("chain").notNull(),
    agent: text("agent").notNull(),
    stableVersion: integer("stable_version").notNull(),
    canaryVersion: integer("canary_version").notNull(),
    /** Canary percentages, e.g. {10,50,100}. */
    stages: integer("stages").array().notNull(),
    stageIndex: integer("stage_index").notNull().default(0),
    status: text("status").notNull(),
    /** Settled canary runs the guard waits for in each stage. */
    minSample: integer("min_sample").notNull(),
    /** The guard's latest reading (also while it holds), for the console. */
    lastVerdict: jsonb("last_verdict"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    stageStartedAt: timestamp("stage_started_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    // One rollout at a time per agent: two canaries of one agent would compete for the same split.
    uniqueIndex("rollouts_active_agent_key")
      .on(t.agent)
      .where(sql`${t.status} in ('running', 'paused')`),
    index("rollouts_created_at_idx").on(t.createdAt),
    check("rollouts_status_check", sql`${t.status} in ('running', 'paused', 'promoted', 'rolled_back')`),
  ],
);

/** Every change of a rollout: who or what (the guard) decided, on which signal, with the numbers. */
export const rolloutDecisions = pgTable(
  "rollout_decisions",
  {
    id: text("id").primaryKey(),
    rolloutId: text("rollout_id")
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    /** start | pause | resume | advance | promote | rollback */
    action: text("action").notNull(),
    /** `guard` or the user id of the admin. */
    source: text("source").notNull(),
    actorEmail: text("actor_email"),
    signal: text("signal"),
    reason: text("reason").notNull().default(""),
    readings: jsonb("readings"),
    fromPercent: integer("from_percent").notNull(),
    toPercent: integer("to_percent").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("rollout_decisions_rollout_idx").on(t.rolloutId, t.createdAt)],
);

/**
 * A conversation's versions, fixed when its first run starts: later turns and restarts read them
 * back, so a conversation never switches version mid-way, whatever the rollout's stage does.
 */
export const conversationAssignments = pgTable("conversation_assignments", {
  conversationId: text("conversation_id")
    .primaryKey()
    .references(() => conversations.id, { onDelete: "cascade" }),
  /** agent → version, for the agents of the rollouts active at the first turn. */
  versions: jsonb("versions").notNull(),
  /** rollout id → canary | stable. */
  arms: jsonb("arms").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Settled runs picked for evaluation: the queue the evaluator drains after live work. */
export const evalJobs = pgTable(
  "eval_jobs",
  {
    runId: text("run_id")
      .primaryKey()
      .references(() => runs.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** queued | done | failed */
    status: text("status").notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    availableAt: timestamp("available_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("eval_jobs_queued_idx").on(t.availableAt).where(sql`${t.status} = 'queued'`)],
);

/** One scored run: deterministic checks, the judge's score and rationale, per agent version. */
export const evalScores = pgTable(
  "eval_scores",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** The agent whose reply was scored and its version. */
    agent: text("agent").notNull(),
    agentVersion: integer("agent_version").notNull(),
    /** Every pinned version of the run, so a rollout's agent can be compared even if it did not answer. */
    versions: jsonb("versions").notNull(),
    score: doublePrecision("score").notNull(),
    checks: jsonb("checks").notNull(),
    judgeScore: doublePrecision("judge_score"),
    judgeRationale: text("judge_rationale"),
    judgeModel: text("judge_model"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("eval_scores_run_key").on(t.runId),
    index("eval_scores_agent_created_idx").on(t.agent, t.agentVersion, t.createdAt),
    index("eval_scores_score_idx").on(t.score, t.createdAt),
  ],
);

/** A recorded conversation re-run against a candidate version, with tool results from the recording. */
export const replays = pgTable(
  "replays",
  {
    id: text("id").primaryKey(),
    /** Replays started together (one conversation or a filter) share a batch. */
    batchId: text("batch_id").notNull(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    agent: text("agent").notNull(),
    candidateVersion: integer("candidate_version").notNull(),
    /** queued | done | failed */
    status: text("status").notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    /** A claimed replay is invisible until then; a process that died with it lets it come back. */
    availableAt: timestamp("available_at", { withTimezone: true }).notNull().defaultNow(),
    /** The side-by-side comparison (lib/replay/compare.ts), once done. */
    result: jsonb("result"),
    error: text("error"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("replays_created_at_idx").on(t.createdAt),
    index("replays_queued_idx").on(t.availableAt).where(sql`${t.status} = 'queued'`),
  ],
);
