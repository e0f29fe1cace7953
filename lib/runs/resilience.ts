import type { Database } from "@/db/client";
import type { Env } from "@/lib/env";
import { log } from "@/lib/log";
import { modelIdsFromEnv } from "@/lib/providers";
import { type ModelInvoker, type ModelRequest, resilientInvoker, systemClock } from "@/lib/runtime";
import { listenForBreakers } from "./notify";
import { PgBreakerStore } from "./pg-breaker-store";

/** The breakers a model call passes: its agent's and its concrete model's. */
export function breakerKeysFor(modelOf: (tier: ModelRequest["tier"]) => string) {
  return (request: ModelRequest): string[] => [
    `agent:${request.agent.name}`,
    `model:${modelOf(request.tier)}`,
  ];
}

/**
 * The process's resilience layer: Postgres-shared breakers (polled every second and refreshed at
 * once on a NOTIFY) and retries, around every model call the workers make.
 */
export function createResilience(
  db: Database,
  env: Env,
): { invokeModel: ModelInvoker; breakers: PgBreakerStore } {
  const breakers = new PgBreakerStore(db, { listen: listenForBreakers });
  breakers.start().catch((error: unknown) => {
    log("warn", "breakers: could not subscribe to notifications; polling only", {
      error: error instanceof Error ? error.message : String(error),
    });
  });
  const invokeModel = resilientInvoker({
    clock: systemClock,
    breakers,
    breakerKeys: breakerKeysFor(modelIdsFromEnv(env)),
  });
  return { invokeModel, breakers };
}
