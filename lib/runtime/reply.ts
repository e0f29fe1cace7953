/**
 * The customer-facing text of an agent's output, by convention: a non-empty string, or a
 * non-empty `reply`, `answer` or `message` field of an object. Null when the output has none (a
 * triage verdict, a peer's pricing signal): it is an intermediate result, not something to say.
 */
export function replyTextOf(output: unknown): string | null {
  if (typeof output === "string") return output.trim() || null;
  if (output && typeof output === "object") {
    for (const field of ["reply", "answer", "message"]) {
      const value = (output as Record<string, unknown>)[field];
      if (typeof value === "string" && value.trim()) return value;
    }
  }
  return null;
}
