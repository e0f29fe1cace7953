import { createHash } from "node:crypto";

/** Folds what does not change a request's meaning for an exact match: case, width, whitespace. */
export function normaliseRequest(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

export function requestHash(text: string): string {
  return createHash("sha256").update(normaliseRequest(text)).digest("hex");
}

/** The tenant of a conversation without an API key (console, playground, tests). */
export const CONSOLE_SCOPE = "console";
