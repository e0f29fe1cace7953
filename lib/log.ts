import { randomBytes } from "node:crypto";
import { type Redactor, secretRedactor } from "@/lib/runtime";
import { processRedactor, SECRET_PATTERNS } from "@/lib/security/secrets";

type Level = "info" | "warn" | "error";

/**
 * Structured one-line JSON logs; callers pass ids and codes, never secrets or raw payloads. Error
 * messages are not callers' words (a driver or provider may quote a URL or a key), so every value
 * is redacted on its way out: before serialisation, since JSON escaping would hide a secret that
 * contains a quote or a backslash from the redactor.
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = redactedJson(redactor(), { level, time: new Date().toISOString(), message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** Logs an unexpected error under a short id that the user can quote without seeing internals. */
export function logUnexpected(error: unknown, context: Record<string, unknown> = {}): string {
  const errorId = randomBytes(6).toString("hex");
  const detail =
    error instanceof Error ? { name: error.name, error: error.message, stack: error.stack } : { error };
  log("error", "unexpected error", { errorId, ...context, ...detail });
  return errorId;
}

/**
 * `value` as JSON with every string and key redacted as it is serialised (after toJSON, so a Date
 * or an Error's own fields are seen as they will be written).
 */
export function redactedJson(redactor: Redactor, value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "string") return redactor.redact(v);
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const entries = Object.entries(v);
      if (entries.some(([k]) => redactor.redact(k) !== k)) {
        return Object.fromEntries(entries.map(([k, inner]) => [redactor.redact(k), inner]));
      }
    }
    return v;
  });
}

// An invalid environment must not silence the log line that explains it: the patterns still apply.
const patternsOnly = secretRedactor({ secrets: [], patterns: SECRET_PATTERNS });

function redactor(): Redactor {
  try {
    return processRedactor();
  } catch {
    return patternsOnly;
  }
}
