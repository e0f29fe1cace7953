import "server-only";
import { asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { db, schema } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { type EscalationKind, type EscalationStatus } from "@/lib/escalations/policy";
import { boundedJson, type RunSummary, type SummaryEvent, summarizeRun } from "@/lib/escalations/summary";
import { runStateSchema, type RunState } from "@/lib/runtime";
import {
  type ConversationStatus,
  DETAIL_MAX_EVENTS_PER_RUN,
  loadMessages,
  type MessageDto,
} from "./conversations";

/** A decision the run is parked on; `args` as JSON text (untrusted, rendered as text). */
export interface PendingRequestDto {
  id: string;
  kind: "tool_approval" | "human_review";
  agent: string | null;
  tool: string | null;
  args: string;
  prompt: string | null;
}

export interface EscalationViewDto {
  id: string;
  conversationId: string;
  conversationStatus: ConversationStatus;
  customerId: string | null;
  runId: string;
  runStatus: string;
  traceId: string | null;
  reason: string;
  detail: string | null;
  kind: EscalationKind;
  agent: string | null;
  priority: number;
  slaDueAt: string;
  status: EscalationStatus;
  claimedBy: string | null;
  claimedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
  /** What the viewer may do now; the actions check again themselves. */
  viewerHoldsClaim: boolean;
  /** The viewer handed it back and may still reply and resolve it. */
  viewerFollowsUp: boolean;
  viewerMayWrite: boolean;
  viewerMayApprove: boolean;
  messages: MessageDto[];
  messagesTruncated: boolean;
  pending: PendingRequestDto[];
  summary: RunSummary | null;
  spend: { costUsd: number; inputTokens: number; outputTokens: number };
}

/**
 * One escalation with the transcript and what the agents did; null when unknown. It reads the
 * escalated run's events only (the summary is of that run), not the conversation's other runs:
 * the page re-renders every few seconds while the agents work, and a long conversation has many.
 */
export async function getEscalationView(id: string): Promise<EscalationViewDto | null> {
  const actor = await authorize("inbox:read");
  if (!/^esc_[0-9a-z]{26}$/.test(id)) return null;
  const e = schema.escalations;
  const claimer = alias(schema.users, "claimer");
  const resolver = alias(schema.users, "resolver");
  const [row] = await db()
    .select({
      escalation: e,
      claimedBy: claimer.name,
      resolvedBy: resolver.name,
      conversation: {
        status: schema.conversations.status,
        customerId: schema.conversations.customerId,
      },
      run: {
        status: schema.runs.status,
        traceId: schema.runs.traceId,
        checkpoint: schema.runs.checkpoint,
        costUsd: schema.runs.costUsd,
        inputTokens: schema.runs.inputTokens,
        outputTokens: schema.runs.outputTokens,
      },
    })
    .from(e)
    .innerJoin(schema.runs, eq(schema.runs.id, e.runId))
    .innerJoin(schema.conversations, eq(schema.conversations.id, e.conversationId))
    .leftJoin(claimer, eq(claimer.id, e.claimedBy))
    .leftJoin(resolver, eq(resolver.id, e.resolvedBy))
    .where(eq(e.id, id))
    .limit(1);
  if (!row) return null;
  const x = row.escalation;
  const [transcript, runEvents] = await Promise.all([loadMessages(x.conversationId), loadSummaryEvents(x.runId)]);
  const checkpoint = runStateSchema.safeParse(row.run.checkpoint);
  const state = checkpoint.success ? checkpoint.data : null;
  return {
    id: x.id,
    conversationId: x.conversationId,
    conversationStatus: row.conversation.status,
    customerId: row.conversation.customerId,
    runId: x.runId,
    runStatus: row.run.status,
    traceId: row.run.traceId,
    reason: x.reason,
    detail: x.detail,
    kind: x.kind,
    agent: x.agent,
    priority: x.priority,
    slaDueAt: x.slaDueAt.toISOString(),
    status: x.status,
    claimedBy: row.claimedBy,
    claimedAt: x.claimedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedBy,
    resolvedAt: x.resolvedAt?.toISOString() ?? null,
    createdAt: x.createdAt.toISOString(),
    viewerHoldsClaim: x.status === "claimed" && x.claimedBy === actor.id,
    viewerFollowsUp: x.status === "handed_back" && x.claimedBy === actor.id,
    viewerMayWrite: can(actor.role, "inbox:write"),
    viewerMayApprove: can(actor.role, "approvals:write"),
    messages: transcript.messages,
    messagesTruncated: transcript.messagesTruncated,
    pending: state && state.status === "waiting_for_human" ? pendingOf(state) : [],
    summary: state ? summarizeRun(runEvents, state.threads) : null,
    spend: {
      costUsd: row.run.costUsd,
      inputTokens: row.run.inputTokens,
      outputTokens: row.run.outputTokens,
    },
  };
}

/** The first DETAIL_MAX_EVENTS_PER_RUN events of one run, as the summary reads them. */
async function loadSummaryEvents(runId: string): Promise<SummaryEvent[]> {
  const ev = schema.runEvents;
  return db()
    .select({ type: ev.type, agent: ev.agent, data: ev.data })
    .from(ev)
    .where(eq(ev.runId, runId))
    .orderBy(asc(ev.seq))
    .limit(DETAIL_MAX_EVENTS_PER_RUN);
}

function pendingOf(state: RunState): PendingRequestDto[] {
  return state.interruptions.map((i) =>
    i.kind === "tool_approval"
      ? {
          id: i.id,
          kind: i.kind,
          agent: i.agent,
          tool: i.tool,
          args: boundedJson(i.args),
          prompt: null,
        }
      : {
          id: i.id,
          kind: i.kind,
          agent: null,
          tool: null,
          args: boundedJson(i.payload),
          prompt: i.prompt,
        },
  );
}
