import { randomBytes } from "node:crypto";

type Level = "info" | "warn" | "error";

/** Structured one-line JSON logs; callers pass ids and codes, never secrets or raw payloads. */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields });
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
