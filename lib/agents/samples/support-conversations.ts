/** How a shipped sample conversation should end when the support team runs it on the simulator. */
export type SampleOutcome =
  /** Answered by `agent`, approved by the reviewer; `cites` the article id, `refund` issued. */
  | {
      kind: "answered";
      agent: "billing" | "technical" | "general";
      cites?: string;
      refundIssued?: boolean;
      revised?: boolean;
    }
  /** The refund waits for a support lead's approval; nothing is refunded yet. */
  | { kind: "refund_parked"; amount: number }
  /** Handed to a person with this escalation reason. */
  | { kind: "escalated"; reason: "customer_request" | "low_confidence" | "rejected_by_reviewer" };

export interface SampleConversation {
  id: string;
  message: string;
  expected: SampleOutcome;
}

/** Realistic first messages covering every path of the support team (see tests/integration/demo-teams.test.ts). */
export const sampleConversations: readonly SampleConversation[] = [
  {
    id: "refund-small",
    message:
      "Hi, I was charged twice for order ORD-4821. Could you refund the duplicate $49 please?",
    expected: { kind: "answered", agent: "billing", refundIssued: true },
  },
  {
    id: "refund-large",
    message: "Please refund $250 on order ORD-7781, the standing desk arrived broken.",
    expected: { kind: "refund_parked", amount: 250 },
  },
  {
    id: "invoice-question",
    message: "Where can I download last month's invoice for our accounting?",
    expected: { kind: "answered", agent: "billing" },
  },
  {
    id: "password-reset",
    message: "I forgot my password and now I can't log in to my account.",
    expected: { kind: "answered", agent: "technical", cites: "kb-101" },
  },
  {
    id: "sync-failed",
    message: "My sync failed with an error on my laptop this morning.",
    expected: { kind: "answered", agent: "technical", cites: "kb-204" },
  },
  {
    id: "desktop-install",
    message: "How do I install the desktop app on Windows 11?",
    expected: { kind: "answered", agent: "technical", cites: "kb-310" },
  },
  {
    id: "api-rate-limit",
    message: "Our API integration keeps getting 429 responses since yesterday.",
    expected: { kind: "answered", agent: "technical", cites: "kb-412" },
  },
  {
    id: "support-hours",
    message: "What are your support hours on weekends?",
    expected: { kind: "answered", agent: "general" },
  },
  {
    id: "discount-ask",
    message: "We're a small nonprofit. Is there any discount you could give us?",
    expected: { kind: "answered", agent: "general", revised: true },
  },
  {
    id: "ask-for-person",
    message: "This is the third time I'm writing about this. I want to talk to a human, please.",
    expected: { kind: "escalated", reason: "customer_request" },
  },
  {
    id: "unknown-bug",
    message: "There's a bug: exporting a report to PDF cuts off the last page.",
    expected: { kind: "escalated", reason: "low_confidence" },
  },
];
