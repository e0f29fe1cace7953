import type { conversationStatusEnum } from "@/db/schema/conversations";

export type ConversationStatus = (typeof conversationStatusEnum.enumValues)[number];

export const conversationStatusLabels: Record<ConversationStatus, string> = {
  running: "Running",
  waiting_for_customer: "Waiting for customer",
  escalated: "Escalated",
  resolved: "Resolved",
  failed: "Failed",
};

// Each status has its own hue and a dot, so it reads without colour too (the label says it).
const tones: Record<ConversationStatus, { badge: string; dot: string }> = {
  running: { badge: "bg-sky-50 text-sky-800 ring-sky-200", dot: "bg-sky-500" },
  waiting_for_customer: { badge: "bg-amber-50 text-amber-800 ring-amber-200", dot: "bg-amber-500" },
  escalated: { badge: "bg-violet-50 text-violet-800 ring-violet-200", dot: "bg-violet-500" },
  resolved: { badge: "bg-emerald-50 text-emerald-800 ring-emerald-200", dot: "bg-emerald-500" },
  failed: { badge: "bg-red-50 text-red-800 ring-red-200", dot: "bg-red-500" },
};

/** A conversation's status (DESIGN.md contract) as a labelled, colour-coded pill. */
export function StatusBadge({ status }: { status: ConversationStatus }) {
  const tone = tones[status];
  return (
    <span
      data-status={status}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tone.badge}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${tone.dot}`} />
      {conversationStatusLabels[status]}
    </span>
  );
}
