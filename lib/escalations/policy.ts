/**
 * Why a conversation reached a person, how urgent it is and how soon someone must answer. Plain
 * data (client-safe): the settling commit stamps priority and SLA from it, the inbox labels and
 * filters with it.
 *
 * | reason                     | priority   | SLA    | why                                           |
 * | -------------------------- | ---------- | ------ | --------------------------------------------- |
 * | customer_request           | 1 urgent   | 15 min | the customer explicitly asked for a person    |
 * | tool_approval              | 1 urgent   | 15 min | a refund (or similar) waits; the customer too |
 * | fallback_to_human          | 2 high     | 30 min | every automated rung failed                    |
 * | retries_exhausted          | 2 high     | 30 min | the provider kept failing (3 retries)          |
 * | provider_error             | 2 high     | 30 min | the model could not answer                     |
 * | handoff_loop, max_handoffs | 2 high     | 30 min | the agents could not agree who owns it         |
 * | wall_clock_budget          | 2 high     | 30 min | the customer has already waited too long       |
 * | max_steps, max_turns       | 2 high     | 30 min | the agents went round without an answer        |
 * | validation_failed          | 2 high     | 30 min | the agent could not produce a valid reply      |
 * | invalid_plan               | 2 high     | 30 min | an orchestrator could not plan the work        |
 * | run_failed                 | 2 high     | 30 min | the run broke; the customer was promised help  |
 * | max_hops                   | 2 high     | 30 min | peers kept messaging each other                |
 * | no_reply                   | 2 high     | 30 min | the chain ended with nothing to tell them     |
 * | peer_conflict              | 3 normal   | 60 min | peers disagreed; the chain asks a person       |
 * | budget_exhausted           | 3 normal   | 60 min | the answer was too expensive to finish         |
 * | low_confidence             | 3 normal   | 60 min | a draft exists, a person should check it       |
 * | rejected_by_reviewer       | 3 normal   | 60 min | the reviewer refused every draft               |
 * | rejected_by_human          | 3 normal   | 60 min | a person rejected a step; follow up            |
 * | human_review               | 3 normal   | 60 min | a pipeline asks a person to check its work     |
 * | anything else              | 2 high     | 30 min | unknown reasons are not left to wait           |
 */

export const escalationKinds = ["escalated", "tool_approval", "human_review"] as const;
export type EscalationKind = (typeof escalationKinds)[number];

export const escalationStatuses = ["open", "claimed", "resolved", "handed_back"] as const;
export type EscalationStatus = (typeof escalationStatuses)[number];

interface ReasonPolicy {
  label: string;
  priority: 1 | 2 | 3;
  slaMinutes: number;
}

const urgent = { priority: 1, slaMinutes: 15 } as const;
const high = { priority: 2, slaMinutes: 30 } as const;
const normal = { priority: 3, slaMinutes: 60 } as const;

export const reasonPolicies = {
  customer_request: { label: "Customer asked for a person", ...urgent },
  tool_approval: { label: "Tool call awaits approval", ...urgent },
  fallback_to_human: { label: "Fallback reached a person", ...high },
  retries_exhausted: { label: "Retries exhausted", ...high },
  provider_error: { label: "Model provider error", ...high },
  handoff_loop: { label: "Handoff loop", ...high },
  max_handoffs: { label: "Too many handoffs", ...high },
  wall_clock_budget: { label: "Time budget used up", ...high },
  max_steps: { label: "Too many steps", ...high },
  max_turns: { label: "Agent out of turns", ...high },
  validation_failed: { label: "Invalid agent output", ...high },
  invalid_plan: { label: "Invalid plan", ...high },
  run_failed: { label: "Run failed", ...high },
  max_hops: { label: "Too many peer hops", ...high },
  no_reply: { label: "No reply for the customer", ...high },
  budget_exhausted: { label: "Cost budget exhausted", ...normal },
  low_confidence: { label: "Low confidence", ...normal },
  rejected_by_reviewer: { label: "Rejected by reviewer", ...normal },
  rejected_by_human: { label: "Rejected by a person", ...normal },
  human_review: { label: "Review requested", ...normal },
  peer_conflict: { label: "Agents disagree", ...normal },
} as const satisfies Record<string, ReasonPolicy>;

export type InboxReason = keyof typeof reasonPolicies;
export const inboxReasons = Object.keys(reasonPolicies) as InboxReason[];

/** The policy of a stored reason; an unknown one (a newer runtime) is treated as high priority. */
export function reasonPolicy(reason: string): ReasonPolicy {
  return (reasonPolicies as Record<string, ReasonPolicy>)[reason] ?? { label: reason, ...high };
}

/**
 * Whether the agents can take an escalation back. Not a failed run (it cannot continue) nor a
 * spent budget (the next step would stop again at once): a person answers and resolves those.
 */
export function mayHandBack(kind: EscalationKind, reason: string): boolean {
  return kind === "escalated" && reason !== "run_failed" && reason !== "budget_exhausted";
}

export const priorityLabels: Record<number, string> = { 1: "Urgent", 2: "High", 3: "Normal" };
