import { randomBytes } from "node:crypto";
import { processRedactor } from "@/lib/security/secrets";

type Level = "info" | "warn" | "error";

/**
 * Structured one-line JSON logs; callers pass ids and codes, never secrets or raw payloads. Error
 * messages are not callers' words (a driver or provider may quote a URL or a key), so every line is
 * redacted on its way out.
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = redact(JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }));
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

function redact(line: string): string {
  try {
    return processRedactor().redact(line);
  } catch {
    // An invalid environment must not silence the log line that explains it: patterns still apply.
    return line.replace(/\bsy_(?:live|demo)_[A-Za-z0-9_-]{8,}|\bsk-[A-Za-z0-9_-]{20,}/g, "[redacted]");
  }
}
