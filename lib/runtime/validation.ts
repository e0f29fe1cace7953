import { type z } from "zod";
import { type AgentDefinition } from "./agent";
import { type ModelResponse } from "./model";

/** Flattens zod issues into short `path: message` lines for events and corrective prompts. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

export type OutputCheck =
  | { ok: true; output: unknown }
  | { ok: false; issues: string[]; raw: string };

/**
 * Validates a final (non-tool) model response against the agent's contract. Agents without a
 * schema answer in text. Providers may hand back a JSON string or an already parsed value; both
 * go through the same zod schema, so no provider's output reaches the chain unvalidated.
 */
export function checkOutput(agent: AgentDefinition, response: ModelResponse): OutputCheck {
  const candidate = response.output ?? response.text;
  if (!agent.outputSchema) {
    if (typeof candidate === "string" && candidate.trim() !== "")
      return { ok: true, output: candidate };
    return { ok: false, issues: ["expected a non-empty text answer"], raw: describe(candidate) };
  }
  let value: unknown = candidate;
  if (typeof candidate === "string") {
    try {
      value = JSON.parse(candidate);
    } catch {
      return { ok: false, issues: ["output is not valid JSON"], raw: candidate };
    }
  }
  const parsed = agent.outputSchema.safeParse(value);
  if (parsed.success) return { ok: true, output: parsed.data };
  return { ok: false, issues: formatIssues(parsed.error), raw: describe(candidate) };
}

/** The message appended for the single corrective retry. */
export function correctionPrompt(issues: readonly string[]): string {
  return [
    "Your previous answer did not match the required output schema.",
    ...issues.map((issue) => `- ${issue}`),
    "Answer again with output that matches the schema exactly.",
  ].join("\n");
}

function describe(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value);
  } catch {
    // Circular or BigInt values: not JSON, so there is nothing useful to echo back.
    return "";
  }
}
