import { SUMMARY_SO_FAR, TURNS_TO_ADD } from "@/lib/runtime";

/**
 * What the SIMULATOR answers as the context summariser (lib/runtime/context-policy): not a
 * summary a model would write, but a deterministic fold that keeps what later turns rely on: the
 * most recently mentioned references (orders, refunds, articles) and one-line notes of the newest
 * few turns (older turns survive only through their references). Both are bounded, so a long
 * conversation's summary stays well inside the summariser's 2,000 characters.
 */

const MAX_NOTES = 2;
const MAX_REFERENCES = 12;
const NOTE_CHARS = 40;
const referencePattern = /\b(?:[A-Z]{2,5}-\d{3,10}|rf_[a-z0-9]+|kb-\d+)\b/g;
const REFERENCES = "References: ";

export function summarizeConversation(input: string): { summary: string } {
  const [previous, turns] = splitInput(input);
  const previousLines = previous.split("\n").filter((l) => l.length > 0);
  // In order of last mention: a reference mentioned again moves to the end, the oldest drop off.
  const references = new Set<string>();
  const mention = (ref: string) => {
    references.delete(ref);
    references.add(ref);
  };
  for (const line of previousLines.filter((l) => l.startsWith(REFERENCES))) {
    for (const ref of line.slice(REFERENCES.length).split(", ")) if (ref) mention(ref);
  }
  const notes = previousLines.filter((l) => l.startsWith("- "));
  for (const line of turns.split("\n")) {
    for (const ref of line.match(referencePattern) ?? []) mention(ref);
    const note = noteOf(line);
    if (note) notes.push(note);
  }
  const kept = notes.slice(-MAX_NOTES);
  const refs = [...references].slice(-MAX_REFERENCES);
  const lines = [...(refs.length ? [`${REFERENCES}${refs.join(", ")}`] : []), ...kept];
  return { summary: lines.length ? lines.join("\n") : "- Nothing of note yet." };
}

function splitInput(input: string): [string, string] {
  const at = input.indexOf(TURNS_TO_ADD);
  const turns = at === -1 ? input : input.slice(at + TURNS_TO_ADD.length);
  const head = at === -1 ? "" : input.slice(0, at);
  const previous = head.startsWith(SUMMARY_SO_FAR) ? head.slice(SUMMARY_SO_FAR.length).trim() : "";
  return [previous, turns];
}

function noteOf(line: string): string | null {
  const m = /^(Customer|Support|Agent \(([^)]*)\)): (.*)$/.exec(line);
  if (!m) return null;
  const who = m[1] === "Customer" ? "Customer" : m[1] === "Support" ? "Support" : m[2]!;
  const text = m[3]!.replace(/\s+/g, " ").trim();
  return `- ${who}: ${text.length > NOTE_CHARS ? `${text.slice(0, NOTE_CHARS)}…` : text}`;
}
