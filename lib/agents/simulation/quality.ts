/**
 * A SIMULATOR directive for canary demos and tests: an agent version whose instructions contain
 * it answers every customer with a vague deflection, so its eval scores drop and the rollout
 * guard has something real to catch. A real model reads it as plain text and ignores it.
 */
export const DEGRADED_QUALITY_DIRECTIVE = "[simulator: degraded quality]";

export function isDegraded(instructions: string): boolean {
  return instructions.includes(DEGRADED_QUALITY_DIRECTIVE);
}

/** The deflection a degraded version gives instead of its normal reply. */
export function degradedReply(output: unknown): unknown {
  if (!output || typeof output !== "object" || !("reply" in output)) return output;
  return { reply: "Please check the help center.", confidence: 0.6, citations: [] };
}
