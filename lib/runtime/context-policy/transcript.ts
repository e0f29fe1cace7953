/**
 * The conversation format the runtime understands well enough to compact: earlier messages, one
 * per line (`Customer: …`, `Agent (billing): …`, `Support: …`), then the newest customer message
 * after {@link LATEST_MESSAGE_MARKER}. The whole text travels as a user message, never as
 * instructions, since customer text is untrusted.
 */
export const LATEST_MESSAGE_MARKER = "Latest customer message:\n";
export const EARLIER_HEADER = "Conversation so far:\n";
export const SUMMARY_HEADER = "Summary of earlier turns:\n";
export const RECENT_HEADER = "Recent turns:\n";

/**
 * One turn: one message of the conversation (the customer's, an agent's or a person's), as its
 * transcript line, the speaker included.
 */
export type Turn = string;

export interface SplitTranscript {
  /** The turns before the newest customer message, oldest first. */
  readonly turns: readonly Turn[];
  readonly latest: string;
}

const speakerLine = /^(Customer|Support|Agent \([^)\n]*\)): /;

/**
 * Splits a transcript into earlier turns and the newest message; null when `text` is not a
 * transcript with earlier messages (a first message is sent as it is). A line that names no
 * speaker continues the message before it (customer text may contain line breaks).
 */
export function splitTranscript(text: string): SplitTranscript | null {
  const at = text.lastIndexOf(LATEST_MESSAGE_MARKER);
  if (at === -1 || !text.startsWith(EARLIER_HEADER)) return null;
  const body = text.slice(EARLIER_HEADER.length, at).replace(/\n+$/, "");
  const turns: string[] = [];
  for (const line of body.split("\n")) {
    if (speakerLine.test(line) || turns.length === 0) turns.push(line);
    else turns[turns.length - 1] += `\n${line}`;
  }
  return { turns, latest: text.slice(at + LATEST_MESSAGE_MARKER.length) };
}

/** The compacted transcript: the summary of what came before, the last turns, the newest message. */
export function renderCompacted(summary: string | null, recent: readonly Turn[], latest: string): string {
  const parts: string[] = [];
  if (summary) parts.push(`${SUMMARY_HEADER}${summary}`);
  if (recent.length > 0) parts.push(`${RECENT_HEADER}${recent.join("\n")}`);
  return `${parts.join("\n\n")}\n\n${LATEST_MESSAGE_MARKER}${latest}`;
}

/** Turns as plain lines, for the summariser. */
export function turnsText(turns: readonly Turn[]): string {
  return turns.join("\n");
}
