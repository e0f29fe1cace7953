import { getAuthSecret } from "@/lib/auth/secret";
import { getEnv } from "@/lib/env";
import { type Redactor, secretRedactor } from "@/lib/runtime";

/**
 * Key formats redacted wherever they appear, so a key the process never held in full (another
 * tenant's, one a model made up in the right shape) is caught as well as the ones it knows.
 */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsy_(?:live|demo)_[A-Za-z0-9_-]{8,}/g, // Switchyard public-API keys (lib/api/keys.ts)
  /\bsk-[A-Za-z0-9_-]{20,}/g, // OpenAI and Anthropic (sk-ant-…) keys
];

let cached: Redactor | undefined;

/**
 * The process's secrets as a Redactor for the runtime (RunLoopDeps.redactor) and the log: provider
 * keys, the session secret, the database password and the metrics token, plus SECRET_PATTERNS.
 */
export function processRedactor(): Redactor {
  if (cached) return cached;
  const env = getEnv();
  cached = secretRedactor({
    secrets: [
      env.OPENAI_API_KEY,
      env.ANTHROPIC_API_KEY,
      getAuthSecret(),
      databasePassword(env.DATABASE_URL),
      env.SWITCHYARD_METRICS_TOKEN,
    ],
    patterns: SECRET_PATTERNS,
  });
  return cached;
}

/** Drops the cache; tests that change the environment call this. */
export function resetRedactorForTests(): void {
  cached = undefined;
}

function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
