import { reasonPolicy, type EscalationKind } from "@/lib/escalations/policy";
import { type RunEvent, type RunState, reviewVerdictSchema } from "@/lib/runtime";
import { completedWithoutReply } from "./settlement";

/** The inbox entry a settling commit creates. */
export interface EscalationDraft {
  kind: EscalationKind;
  reason: string;
  detail: string | null;
  agent: string | null;
  priority: number;
  slaMinutes: number;
}

const DETAIL_CHARS = 1_000;

/**
 * The inbox entry for a commit, or null. Only the commit that escalates, fails or parks the run
 * creates one (it carries the `escalated` or `interrupted` event), so a decision on one of two pending
 * calls, which leaves the run parked, does not add a second entry for the same wait.
 */
export function escalationOf(state: RunState, events: readonly RunEvent[]): EscalationDraft | null {
  if (state.status === "escalated" && events.some((e) => e.type === "escalated")) {
    const reason = state.escalation?.reason ?? "provider_error";
    return draft("escalated", reason, state.escalation?.detail ?? null, workingAgent(state));
  }
  // The customer was told a person will follow up (settlement.ts): the inbox must hear of it.
  const failed = events.find((e): e is Extract<RunEvent, { type: "failed" }> => e.type === "failed");
  if (state.status === "failed" && failed) {
    const detail = `${failed.error.category}: ${failed.error.message}`;
    return draft("escalated", "run_failed", detail, workingAgent(state));
  }
  // Settlement told the customer a person will answer a run that ended with nothing to say.
  if (completedWithoutReply(state) && events.some((e) => e.type === "completed")) {
    return draft("escalated", "no_reply", "The chain finished without a reply for the customer.", workingAgent(state));
  }
  const interrupted = events.find((e) => e.type === "interrupted");
  if (state.status !== "waiting_for_human" || !interrupted) return null;
  const fresh = state.interruptions.filter((i) => interrupted.interruptionIds.includes(i.id));
  const approval = fresh.find((i) => i.kind === "tool_approval");
  if (approval) {
    const detail = `${approval.agent} wants to call ${approval.tool} ${JSON.stringify(approval.args)}`;
    return draft("tool_approval", "tool_approval", detail, approval.agent);
  }
  const review = fresh.find((i) => i.kind === "human_review");
  return draft("human_review", "human_review", review?.prompt ?? null, workingAgent(state));
}

function draft(
  kind: EscalationKind,
  reason: string,
  detail: string | null,
  agent: string | null,
): EscalationDraft {
  const { priority, slaMinutes } = reasonPolicy(reason);
  return {
    kind,
    reason,
    detail: detail?.slice(0, DETAIL_CHARS) ?? null,
    agent,
    priority,
    slaMinutes,
  };
}

/** The agent whose work stopped: the newest thread, passing over a reviewer's verdict. */
function workingAgent(state: RunState): string | null {
  for (const thread of [...state.threads].reverse()) {
    if (thread.status === "done" && reviewVerdictSchema.safeParse(thread.output).success) continue;
    return thread.agent;
  }
  return state.threads.at(-1)?.agent ?? null;
}
