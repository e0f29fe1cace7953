import type { Database } from "@/db/client";
import type { Env } from "@/lib/env";
import { log } from "@/lib/log";
import { modelIdsFromEnv } from "@/lib/providers";
import {
  type CallPriority,
  type ModelInvoker,
  type ModelRequest,
  resilientInvoker,
  systemClock,
} from "@/lib/runtime";
import { listenForBreakers } from "./notify";
import { PgBreakerStore } from "./pg-breaker-store";
import { PgRateLimiter } from "./pg-rate-limiter";

/** The breakers a model call passes: its agent's and its concrete model's. */
export function breakerKeysFor(modelOf: (tier: ModelRequest["tier"]) => string) {
  return (request: ModelRequest): string[] => [
    `agent:${request.agent.name}`,
    `model:${modelOf(request.tier)}`,
  ];
}

/**
 * Per provider model and minute, when the environment says nothing: the lowest paid tier of the
 * large providers (OpenAI tier 1 allows about 500 requests and 200k tokens a minute on its mini
 * models), so a fresh deployment does not earn itself 429s.
 */
export const DEFAULT_RATE_LIMITS = { requests: 500, tokens: 200_000 } as const;

/** The central limiter with the env's limits (0 turns one off), or none when both are off. */
export function rateLimiterFromEnv(db: Database, env: Env): PgRateLimiter | undefined {
  const rpm = env.SWITCHYARD_RATE_LIMIT_RPM ?? DEFAULT_RATE_LIMITS.requests;
  const tpm = env.SWITCHYARD_RATE_LIMIT_TPM ?? DEFAULT_RATE_LIMITS.tokens;
  if (rpm === 0 && tpm === 0) return undefined;
  const limits = {
    requests: rpm || Number.MAX_SAFE_INTEGER,
    tokens: tpm || Number.MAX_SAFE_INTEGER,
  };
  return new PgRateLimiter(db, { limitsFor: () => limits });
}

export interface Resilience {
  /** For live conversations. */
  invokeModel: ModelInvoker;
  /** Per priority: the rate limiter serves live conversations before batch work. */
  invokeModelFor: (priority: CallPriority) => ModelInvoker;
  breakers: PgBreakerStore;
}

/**
 * The process's resilience layer around every model call the workers make: breakers shared
 * through Postgres (polled every second, refreshed at once on a NOTIFY), retries with backoff,
 * and the central rate limiter per provider model.
 */
export function createResilience(db: Database, env: Env): Resilience {
  const breakers = new PgBreakerStore(db, { listen: listenForBreakers });
  breakers.start().catch((error: unknown) => {
    log("warn", "breakers: could not subscribe to notifications; polling only", {
      error: error instanceof Error ? error.message : String(error),
    });
  });
  const modelOf = modelIdsFromEnv(env);
  const limiter = rateLimiterFromEnv(db, env);
  const invokerFor = (priority: CallPriority) =>
    resilientInvoker({
      clock: systemClock,
      breakers,
      breakerKeys: breakerKeysFor(modelOf),
      limiter,
      limitKey: (request) => `model:${modelOf(request.tier)}`,
      priority,
    });
  const invokers = { live: invokerFor("live"), batch: invokerFor("batch") };
  return { invokeModel: invokers.live, invokeModelFor: (p) => invokers[p], breakers };
}
