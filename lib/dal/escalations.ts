import "server-only";
import { eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { db, schema } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { type EscalationKind, type EscalationStatus } from "@/lib/escalations/policy";
import { boundedJson, type RunSummary, summarizeRun } from "@/lib/escalations/summary";
import { runStateSchema, type RunState } from "@/lib/runtime";
import { getConversationDetail, type ConversationStatus, type MessageDto } from "./conversations";

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

/** One escalation with the transcript and what the agents did; null when unknown. */
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
    .leftJoin(claimer, eq(claimer.id, e.claimedBy))
    .leftJoin(resolver, eq(resolver.id, e.resolvedBy))
    .where(eq(e.id, id))
    .limit(1);
  if (!row) return null;
  const conversation = await getConversationDetail(row.escalation.conversationId);
  if (!conversation) return null;
  const checkpoint = runStateSchema.safeParse(row.run.checkpoint);
  const state = checkpoint.success ? checkpoint.data : null;
  const runEvents = conversation.runs.find((r) => r.id === row.escalation.runId)?.events;
  const x = row.escalation;
  return {
    id: x.id,
    conversationId: x.conversationId,
    conversationStatus: conversation.status,
    customerId: conversation.customerId,
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
    messages: conversation.messages,
    messagesTruncated: conversation.messagesTruncated,
    pending: state && state.status === "waiting_for_human" ? pendingOf(state) : [],
    summary: runEvents && state ? summarizeRun(runEvents, state.threads) : null,
    spend: {
      costUsd: row.run.costUsd,
      inputTokens: row.run.inputTokens,
      outputTokens: row.run.outputTokens,
    },
  };
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
