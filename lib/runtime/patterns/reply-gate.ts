import { z } from "zod";
import { type AgentDefinition } from "../agent";
import { type ThreadSpec, type Transition } from "../chain";
import { ConfigurationError } from "../errors";
import { type RunState, type Thread } from "../state";
import { formatIssues } from "../validation";

/** What a reviewer agent must answer: its verdict on one reply. */
export const reviewVerdictSchema = z.object({
  approved: z.boolean(),
  confidence: z.number().min(0).max(1),
  issues: z.array(z.string().max(500)).max(10).default([]),
});
export type ReviewVerdict = z.infer<typeof reviewVerdictSchema>;

/**
 * The fields the gate reads from a reply, by convention: the replying agent's `confidence`, and
 * `handover`, set (with the reason) when the customer should be handed to a person.
 */
export const gatedReplySchema = z.object({
  confidence: z.number().min(0).max(1).optional(),
  handover: z.string().min(1).optional(),
});

/** A quality reviewer that gates every reply of a supervisor chain before the run answers. */
export interface ReviewerConfig {
  /** Its output must satisfy {@link reviewVerdictSchema}. */
  readonly agent: AgentDefinition;
  /** A reply or verdict below this confidence escalates (`low_confidence`). Default 0.5. */
  readonly minConfidence?: number;
  /** Rejected replies sent back to their agent for a revision before escalating. Default 1. */
  readonly maxRevisions?: number;
}

/** Precedes the reviewer's feedback in a revision's input, after the original request. */
export const revisionFeedbackMarker = "Reviewer feedback on your previous reply:\n";

/** The reviewer's input: the request, who replied and the reply, as one JSON user message. */
export interface ReviewRequest {
  readonly request: string;
  readonly agent: string;
  readonly reply: unknown;
}

/** @throws ConfigurationError when the reviewer cannot act as one. */
export function checkReviewer(reviewer: ReviewerConfig, agents: readonly AgentDefinition[]): void {
  const { agent } = reviewer;
  if (!agent.outputSchema)
    throw new ConfigurationError(`reviewer ${agent.name} needs an output schema (a verdict)`);
  if (agent.handoffs.length > 0)
    throw new ConfigurationError(`reviewer ${agent.name} must not hand off`);
  const targets = agents.filter((a) => a.handoffs.includes(agent.name)).map((a) => a.name);
  if (targets.length > 0)
    throw new ConfigurationError(
      `${targets.join(", ")} may not hand off to reviewer ${agent.name}`,
    );
  const min = reviewer.minConfidence ?? 0.5;
  const revisions = reviewer.maxRevisions ?? 1;
  if (min < 0 || min > 1 || !Number.isInteger(revisions) || revisions < 0)
    throw new ConfigurationError(`reviewer ${agent.name}: invalid minConfidence or maxRevisions`);
}

/**
 * The gate's transitions, a pure function of the checkpoint. Every reply goes to the reviewer
 * (so nothing unreviewed becomes the run's answer, and an escalation's last output is a verdict,
 * not a rejected reply). After the verdict:
 * a handover request escalates (`customer_request`); an approved reply answers the run unless it
 * or the verdict is below `minConfidence` (`low_confidence`); a rejected reply goes back to its
 * agent with the issues while revisions remain, then escalates (`low_confidence` if the reply
 * was unsure, else `rejected_by_reviewer`).
 */
export function gateOutput(
  reviewer: ReviewerConfig,
  state: Readonly<RunState>,
  thread: Thread,
  output: unknown,
): Transition {
  const name = reviewer.agent.name;
  if (thread.agent !== name) {
    const reviews = countReviews(state, name);
    const request: ReviewRequest = { request: state.input, agent: thread.agent, reply: output };
    const spec: ThreadSpec = {
      agent: name,
      role: thread.role,
      index: reviews + 1,
      input: JSON.stringify(request),
    };
    return { kind: "continue", open: [spec] };
  }
  const reviewed = reviewedThread(state, thread);
  if (!reviewed) return escalate("rejected_by_reviewer", "the reviewed reply is missing");
  const verdict = reviewVerdictSchema.safeParse(output);
  if (!verdict.success)
    return escalate(
      "rejected_by_reviewer",
      `invalid verdict: ${formatIssues(verdict.error).join("; ")}`,
    );
  return decide(reviewer, state, reviewed, verdict.data);
}

function decide(
  reviewer: ReviewerConfig,
  state: Readonly<RunState>,
  reviewed: Thread,
  verdict: ReviewVerdict,
): Transition {
  const min = reviewer.minConfidence ?? 0.5;
  const reply = gatedReplySchema.safeParse(reviewed.output);
  const fields = reply.success ? reply.data : {};
  const issues = verdict.issues.join("; ");
  if (fields.handover) return escalate("customer_request", `${reviewed.agent}: ${fields.handover}`);
  const unsure = fields.confidence !== undefined && fields.confidence < min;
  if (verdict.approved) {
    if (unsure)
      return escalate(
        "low_confidence",
        `${reviewed.agent} replied with confidence ${fields.confidence} < ${min}`,
      );
    if (verdict.confidence < min)
      return escalate(
        "low_confidence",
        `reviewer approved with confidence ${verdict.confidence} < ${min}`,
      );
    return { kind: "complete", output: reviewed.output, answeredBy: reviewed.agent };
  }
  const reviews = countReviews(state, reviewer.agent.name);
  if (reviews <= (reviewer.maxRevisions ?? 1)) {
    const feedback = JSON.stringify({ previousReply: reviewed.output, issues: verdict.issues });
    const input = `${state.input}\n\n${revisionFeedbackMarker}${feedback}`;
    return {
      kind: "continue",
      open: [{ agent: reviewed.agent, role: reviewed.role, index: reviews, input }],
    };
  }
  if (unsure)
    return escalate(
      "low_confidence",
      `${reviewed.agent} (confidence ${fields.confidence}): ${issues}`,
    );
  return escalate(
    "rejected_by_reviewer",
    `${reviews} reviews rejected ${reviewed.agent}: ${issues}`,
  );
}

function escalate(
  reason: "customer_request" | "low_confidence" | "rejected_by_reviewer",
  detail: string,
): Transition {
  return { kind: "escalate", reason, detail };
}

/** Finished reviews in this run, the current one included. */
function countReviews(state: Readonly<RunState>, reviewer: string): number {
  return state.threads.filter((t) => t.agent === reviewer && t.status === "done").length;
}

/** The reply under review: the last finished non-reviewer thread opened before the reviewer's. */
function reviewedThread(state: Readonly<RunState>, reviewerThread: Thread): Thread | undefined {
  const at = state.threads.findIndex((t) => t.id === reviewerThread.id);
  return state.threads
    .slice(0, at === -1 ? state.threads.length : at)
    .filter((t) => t.agent !== reviewerThread.agent && t.status === "done")
    .at(-1);
}
