import { EARLIER_HEADER, LATEST_MESSAGE_MARKER } from "@/lib/runtime";

/**
 * How a follow-up turn presents the conversation to the agents: earlier messages, then the newest
 * customer message after the marker; the runtime's context policies read the same format
 * (lib/runtime/context-policy/transcript.ts). It travels as a user message, never as
 * instructions, since customer text is untrusted.
 */
export { LATEST_MESSAGE_MARKER };

export interface TranscriptLine {
  role: "customer" | "agent" | "human";
  author: string | null;
  content: string;
}

export function formatTranscript(lines: readonly TranscriptLine[]): string {
  const earlier = lines.slice(0, -1).map((m) => `${speaker(m)}: ${m.content}`);
  const latest = lines.at(-1)?.content ?? "";
  return earlier.length
    ? `${EARLIER_HEADER}${earlier.join("\n")}\n\n${LATEST_MESSAGE_MARKER}${latest}`
    : latest;
}

/** The newest customer message of a formatted transcript (the whole text when there is no marker). */
export function latestMessageOf(text: string): string {
  const at = text.lastIndexOf(LATEST_MESSAGE_MARKER);
  return at === -1 ? text : text.slice(at + LATEST_MESSAGE_MARKER.length);
}

function speaker(m: TranscriptLine): string {
  if (m.role === "customer") return "Customer";
  if (m.role === "human") return "Support";
  return `Agent (${m.author ?? "agent"})`;
}
