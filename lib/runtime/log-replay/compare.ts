import { type EventDraft, type RunEvent } from "../events";

/**
 * What a replayed event may differ in from the logged one: when things happened, which a replay
 * reads from a fixed clock (the step's start), and whether a tool's outcome came from the ledger,
 * which in a replay it always does. Everything else must be equal, or the replay went another way.
 */
function comparable(event: EventDraft | RunEvent): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  delete copy.at;
  delete copy.runId;
  delete copy.seq;
  if (copy.type === "tool_call") {
    delete copy.startedAt;
    delete copy.finishedAt;
    delete copy.replayed;
  }
  // A failed call's latency is measured by the step's clock; a successful one's is the model's.
  if (copy.type === "llm_call" && copy.finish === "error") delete copy.latencyMs;
  return copy;
}

/** Why the replayed events differ from the logged ones, or null when they agree. */
export function firstDifference(
  replayed: readonly EventDraft[],
  logged: readonly RunEvent[],
): string | null {
  const count = Math.max(replayed.length, logged.length);
  for (let i = 0; i < count; i++) {
    const a = replayed[i];
    const b = logged[i];
    if (!a || !b) return `event ${i + 1} of the step: the log has ${b?.type ?? "nothing"}, the replay ${a?.type ?? "nothing"}`;
    const path = differentPath(comparable(a), comparable(b), b.type);
    if (path) return `event ${i + 1} of the step differs at ${path}`;
  }
  return null;
}

/**
 * The first path at which two JSON values differ (`at` names the root), or null. Objects compare
 * by their keys, not the keys' order; arrays by position.
 */
export function differentPath(a: unknown, b: unknown, at: string): string | null {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b ? null : at;
  if (Array.isArray(a) !== Array.isArray(b)) return at;
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return `${at}.length`;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const inner = differentPath((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (inner) return inner;
  }
  return null;
}
