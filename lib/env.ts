import { z } from "zod";

/**
 * The one place that reads process.env (STYLE.md). Everything is optional: with nothing set,
 * Switchyard runs on the embedded PGlite database with the labelled simulator.
 */
const envSchema = z.object({
  DATABASE_URL: z.url().optional(),
  /** Embedded database directory; `memory://` keeps it in memory (tests). */
  PGLITE_DATA_DIR: z.string().min(1).default(".data/pglite"),
  /**
   * A dump of a migrated embedded database (`dumpDataDir`) that a `memory://` database starts
   * from, so each test file skips initdb and the migrations (tests/global-setup.ts).
   */
  PGLITE_TEMPLATE: z.string().min(1).optional(),
  /** When set, the embedded database wins over DATABASE_URL (tests that must run on PGlite). */
  SWITCHYARD_EMBEDDED_DB: z.enum(["1", "true"]).optional(),
  /**
   * Every connection a process opens, the LISTEN connection included (db/client.ts). At least
   * {@link MIN_DATABASE_POOL}; 1 is accepted with a warning and raised (see getEnv).
   */
  DATABASE_POOL_MAX: z.coerce
    .number()
    .int()
    .min(1, "needs at least 2 connections: one for queries, one for LISTEN")
    .max(200)
    .default(10),
  AUTH_SECRET: z.string().min(16).optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  SWITCHYARD_PROVIDER: z.enum(["sim", "openai", "anthropic"]).default("sim"),
  /** Concrete model per tier for the chosen provider; unset uses the provider's defaults. */
  SWITCHYARD_MODEL_FAST: z.string().min(1).optional(),
  SWITCHYARD_MODEL_STANDARD: z.string().min(1).optional(),
  SWITCHYARD_MODEL_STRONG: z.string().min(1).optional(),
  /** Per model call; a call past it is aborted and classified as a timeout. */
  SWITCHYARD_MODEL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Embedding model of the semantic response cache with SWITCHYARD_PROVIDER=openai. */
  SWITCHYARD_EMBEDDING_MODEL: z.string().min(1).optional(),
  /** Simulated demo traffic: auto = on with the embedded database, off with PostgreSQL. */
  SWITCHYARD_DEMO_TRAFFIC: z.enum(["auto", "on", "off"]).default("auto"),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** OTLP resource `service.name` of the exported traces; unset means "switchyard". */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** When set, GET /api/metrics requires `Authorization: Bearer <token>`; unset, it is open. */
  SWITCHYARD_METRICS_TOKEN: z.string().min(16).optional(),
  /** Runs each process drives at once; 0 turns the in-process worker off. */
  SWITCHYARD_WORKER_CONCURRENCY: z.coerce.number().int().min(0).max(1000).default(16),
  /**
   * Central rate limit per provider model, shared by every process (defaults in
   * lib/runs/resilience.ts: 500 requests, 200,000 tokens a minute); 0 turns a limit off.
   */
  SWITCHYARD_RATE_LIMIT_RPM: z.coerce.number().int().min(0).max(1_000_000).optional(),
  SWITCHYARD_RATE_LIMIT_TPM: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof envSchema>;

/** The fewest connections a process works with: one for queries and one for LISTEN. */
export const MIN_DATABASE_POOL = 2;

let cached: Env | undefined;

/** Parsed environment; throws with every invalid variable named, once, at first use. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join("\n  ")}`);
  }
  cached = withWorkablePool(parsed.data);
  return cached;
}

/**
 * DATABASE_POOL_MAX=1 was valid before the LISTEN connection was counted in it, and then meant
 * one query connection plus LISTEN: two. A deployment that still sets it keeps starting, with
 * those same two connections and a warning, rather than failing at start after an upgrade.
 */
function withWorkablePool(env: Env): Env {
  if (env.DATABASE_POOL_MAX >= MIN_DATABASE_POOL) return env;
  // Written directly: lib/log reads the environment itself (its redactor), so it cannot be used here.
  console.warn(
    JSON.stringify({
      level: "warn",
      time: new Date().toISOString(),
      message: `DATABASE_POOL_MAX=${env.DATABASE_POOL_MAX} is below ${MIN_DATABASE_POOL}; using ${MIN_DATABASE_POOL}: one connection for queries and one for LISTEN (run and breaker notifications). Set DATABASE_POOL_MAX to ${MIN_DATABASE_POOL} or more to silence this.`,
    }),
  );
  return { ...env, DATABASE_POOL_MAX: MIN_DATABASE_POOL };
}

/** Whether this process uses the embedded PGlite database rather than DATABASE_URL. */
export function usesEmbeddedDatabase(env: Env = getEnv()): boolean {
  return env.SWITCHYARD_EMBEDDED_DB !== undefined || env.DATABASE_URL === undefined;
}

/** True while `next build` runs: nothing may touch the database then. */
export function isBuildPhase(): boolean {
  return process.env.NEXT_PHASE === "phase-production-build";
}

/** Drops the cache; tests that change process.env call this. */
export function resetEnvForTests(): void {
  cached = undefined;
}
