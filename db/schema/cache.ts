import {
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * Reusable agent answers (lib/cache/pg-response-cache.ts). `scope` is the tenant: the API key id
 * of the conversation, or `console` for conversations started in the console; every lookup is
 * confined to the scope of the run asking. The embedding is a plain real[] so the table is the
 * same on every database; where pgvector is installed the similarity is computed with it.
 */
export const responseCache = pgTable(
  "response_cache",
  {
    id: text("id").primaryKey(),
    scope: text("scope").notNull(),
    agent: text("agent").notNull(),
    agentVersion: integer("agent_version").notNull(),
    /** sha256 of the normalised request (case and whitespace folded). */
    keyHash: text("key_hash").notNull(),
    output: jsonb("output").notNull(),
    /** The model that produced the answer, and what that call cost: the saving per hit. */
    model: text("model").notNull(),
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    /** Unit vector of the request; null when the agent caches exact matches only. */
    embedding: real("embedding").array(),
    embeddingModel: text("embedding_model"),
    hits: integer("hits").notNull().default(0),
    savedUsd: doublePrecision("saved_usd").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastHitAt: timestamp("last_hit_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("response_cache_key_idx").on(t.scope, t.agent, t.agentVersion, t.keyHash),
    // The semantic search reads the newest entries of one scope's agent version.
    index("response_cache_candidates_idx").on(t.scope, t.agent, t.agentVersion, t.createdAt.desc()),
    index("response_cache_expires_idx").on(t.expiresAt),
  ],
);

/** Lookups, hits and money saved per UTC day, scope and agent: the budgets page's hit rate. */
export const responseCacheStats = pgTable(
  "response_cache_stats",
  {
    day: date("day").notNull(),
    scope: text("scope").notNull(),
    agent: text("agent").notNull(),
    lookups: integer("lookups").notNull().default(0),
    hits: integer("hits").notNull().default(0),
    savedUsd: doublePrecision("saved_usd").notNull().default(0),
  },
  (t) => [primaryKey({ name: "response_cache_stats_pkey", columns: [t.day, t.scope, t.agent] })],
);
