import { replyTextOf, type RunState } from "@/lib/runtime";

export type ConversationStatus = "running" | "waiting_for_customer" | "escalated" | "resolved" | "failed";

/** What a conversation shows once a run stops needing a worker. */
export interface Settlement {
  conversationStatus: ConversationStatus;
  /** The message the customer receives, or null when nothing is said to them. */
  reply: string | null;
  author: string;
}

// Never a raw error to the customer (DESIGN.md capability 4): these are what they read instead.
const escalatedReply =
  "I've passed your conversation to a member of our support team, who will get back to you here.";
const failedReply =
  "Sorry, something went wrong on our side. A member of our support team will follow up here.";

/**
 * A chain that ended on an intermediate result has nothing to say: a person must answer. The
 * settlement tells the customer so, and escalation-commit.ts opens the inbox entry (`no_reply`).
 */
export function completedWithoutReply(state: RunState): boolean {
  return state.status === "completed" && !replyTextOf(state.output);
}

/** Maps a run's state to the conversation's status and the reply; null while it still runs. */
export function settlementOf(state: RunState): Settlement | null {
  switch (state.status) {
    case "running":
      return null;
    case "completed": {
      const reply = replyTextOf(state.output);
      if (!reply) return { conversationStatus: "escalated", reply: escalatedReply, author: "switchyard" };
      return { conversationStatus: "waiting_for_customer", reply, author: state.lastOutput?.agent ?? state.chain };
    }
    case "waiting_for_human":
      return { conversationStatus: "escalated", reply: null, author: "switchyard" };
    case "escalated": {
      const partial = state.lastOutput ? replyTextOf(state.lastOutput.output) : null;
      return { conversationStatus: "escalated", reply: partial ?? escalatedReply, author: "switchyard" };
    }
    case "failed":
      return { conversationStatus: "failed", reply: failedReply, author: "switchyard" };
  }
}

/** The customer-facing text of a chain's output (replyTextOf), or the hand-over text without one. */
export function replyText(output: unknown): string {
  return replyTextOf(output) ?? escalatedReply;
}
