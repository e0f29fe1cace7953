import { ConfigurationError } from "../errors";
import { renderCompacted, splitTranscript, type Turn } from "./transcript";

/**
 * What of the conversation an agent is sent (per agent, in its definition):
 * - `full`: everything (the default);
 * - `last_turns`: the last `turns` turns (messages of the conversation, the customer's and the
 *   agents') verbatim plus a rolling summary of the ones before, made by a fast-tier summariser
 *   and checkpointed with the run;
 * - `fields`: only the named fields of the structured state the agent is given (a JSON object
 *   input, e.g. a pipeline stage's predecessor output or a review request).
 */
export type ContextPolicy =
  | { readonly kind: "full" }
  | { readonly kind: "last_turns"; readonly turns: number }
  | { readonly kind: "fields"; readonly fields: readonly string[] };

export function fullContext(): ContextPolicy {
  return { kind: "full" };
}

/** @throws ConfigurationError unless `turns` is a whole number from 1 to 50. */
export function lastTurns(turns: number): ContextPolicy {
  if (!Number.isInteger(turns) || turns < 1 || turns > 50)
    throw new ConfigurationError(`lastTurns(${turns}): between 1 and 50 turns`);
  return { kind: "last_turns", turns };
}

/** @throws ConfigurationError on an empty list. */
export function stateFields(fields: readonly string[]): ContextPolicy {
  if (fields.length === 0 || fields.some((f) => f.length === 0))
    throw new ConfigurationError("stateFields: name at least one field");
  return { kind: "fields", fields: [...fields] };
}

/** How the trace names a policy: `full`, `last_turns(3)`, `fields(agent,reply)`. */
export function describePolicy(policy: ContextPolicy): string {
  switch (policy.kind) {
    case "full":
      return "full";
    case "last_turns":
      return `last_turns(${policy.turns})`;
    case "fields":
      return `fields(${policy.fields.join(",")})`;
  }
}

/** The earlier turns a text leaves outside the policy's window: what a summary must cover. */
export function turnsBeyondWindow(policy: ContextPolicy, text: string): readonly Turn[] {
  if (policy.kind !== "last_turns") return [];
  let found: readonly Turn[] = [];
  visitTranscripts(text, (transcript) => {
    const split = splitTranscript(transcript);
    if (split && split.turns.length > found.length + policy.turns) found = split.turns.slice(0, -policy.turns);
    return transcript;
  });
  return found;
}

/** A summary of the first `turns` turns of the conversation. */
export interface TurnSummary {
  readonly turns: number;
  readonly text: string;
}

/**
 * Applies a policy to one message text. `summary` covers the first turns of the conversation:
 * the turns after it are sent verbatim (at least the policy's window), so without a summary a
 * transcript is sent whole. Text the policy cannot read (no transcript, no JSON object) is
 * returned unchanged: a policy never drops what it does not understand.
 */
export function compactText(policy: ContextPolicy, text: string, summary: TurnSummary | null): string {
  switch (policy.kind) {
    case "full":
      return text;
    case "fields":
      return pickFields(text, policy.fields);
    case "last_turns":
      if (!summary) return text;
      return visitTranscripts(text, (transcript) => {
        const split = splitTranscript(transcript);
        if (!split || split.turns.length <= policy.turns) return transcript;
        const from = Math.min(summary.turns, split.turns.length - policy.turns);
        return renderCompacted(summary.text, split.turns.slice(from), split.latest);
      });
  }
}

/** A transcript is either the whole text or a string field of a JSON object (a review request). */
function visitTranscripts(text: string, visit: (transcript: string) => string): string {
  const object = jsonObject(text);
  if (!object) return visit(text);
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const next = typeof value === "string" ? visit(value) : value;
    changed ||= next !== value;
    out[key] = next;
  }
  return changed ? JSON.stringify(out) : text;
}

function pickFields(text: string, fields: readonly string[]): string {
  const object = jsonObject(text);
  if (!object) return text;
  const out: Record<string, unknown> = {};
  for (const field of fields) if (field in object) out[field] = object[field];
  return JSON.stringify(out);
}

function jsonObject(text: string): Record<string, unknown> | null {
  if (!text.startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The estimate the trace uses for tokens not sent: about four characters a token. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}
