import { z } from "zod";
import { defineAgent } from "../agent";

export const summarySchema = z.object({ summary: z.string().min(1).max(2_000) });

/**
 * Makes the rolling summary behind `lastTurns(n)`: the previous summary plus the turns that just
 * left the window, in, a short summary out. Fast tier, one turn, no tools. Declared critical, but
 * each call takes the criticality of the agent it serves (context-policy/view.ts), so a hard
 * daily limit that pauses that agent pauses its summary too.
 */
export const summarizerAgent = defineAgent({
  name: "summarizer",
  version: 1,
  modelTier: "fast",
  instructions:
    "Merge the summary so far and the turns to add into a brief summary. Keep order numbers, amounts, references and what is still open.",
  outputSchema: summarySchema,
  limits: { maxTurns: 1, maxOutputTokens: 400 },
  critical: true,
});

export const SUMMARY_SO_FAR = "Summary so far:\n";
export const TURNS_TO_ADD = "Turns to add:\n";

/** The summariser's one user message. */
export function summaryRequest(previous: string | null, turns: string): string {
  return `${previous ? `${SUMMARY_SO_FAR}${previous}\n\n` : ""}${TURNS_TO_ADD}${turns}`;
}
