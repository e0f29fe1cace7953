import "server-only";
import { z } from "zod";
import type { Actor } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import type { ConversationDetailDto, RunEventDto } from "@/lib/dal/conversations";
import type { LiveConversationDto, LiveCursor, LiveStepDto } from "@/lib/query/conversations";

export const liveQuerySchema = z
  .object({
    afterRun: z.string().regex(/^run_[0-9a-z]{1,64}$/, "Unknown run.").optional(),
    afterSeq: z.coerce.number().int().min(0).max(1_000_000).optional(),
  })
  .refine((q) => (q.afterRun === undefined) === (q.afterSeq === undefined), {
    message: "afterRun and afterSeq go together.",
  });

/**
 * The live view of a conversation from its detail DTO (lib/dal/conversations.ts): the newest
 * status and transcript, and only the steps after the cursor. A cursor naming a run the detail no
 * longer includes (older than its bound) gets every step it does include; the client de-duplicates.
 */
export function toLiveView(detail: ConversationDetailDto, cursor: LiveCursor | null, actor: Actor): LiveConversationDto {
  const at = cursor ? detail.runs.findIndex((r) => r.id === cursor.runId) : -1;
  const steps: LiveStepDto[] = [];
  detail.runs.forEach((run, i) => {
    if (cursor && at !== -1 && i < at) return;
    for (const event of run.events) {
      if (cursor && i === at && event.seq <= cursor.seq) continue;
      steps.push(toStep(run.id, event));
    }
  });
  const last = steps.at(-1);
  return {
    id: detail.id,
    status: detail.status,
    chain: detail.chain,
    canReply:
      detail.startedFromConsole &&
      can(actor.role, "playground:use") &&
      (detail.status === "waiting_for_customer" || detail.status === "resolved"),
    messages: detail.messages.map((m) => ({
      id: m.id,
      role: m.role,
      author: m.author,
      content: m.content,
      createdAt: m.createdAt,
    })),
    runs: detail.runs.map((r) => ({ id: r.id, status: r.status, traceId: r.traceId, createdAt: r.createdAt })),
    steps,
    cursor: last ? { runId: last.runId, seq: last.seq } : cursor,
  };
}

const llmCallSchema = z.object({
  model: z.string().nullable().optional(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).optional(),
  latencyMs: z.number().optional(),
});
const toolCallSchema = z.object({ startedAt: z.number(), finishedAt: z.number() });

/** The summary comes from lib/events/summarize.ts; model, tokens and latency as their own columns. */
function toStep(runId: string, event: RunEventDto): LiveStepDto {
  const step: LiveStepDto = {
    runId,
    seq: event.seq,
    type: event.type,
    agent: event.agent,
    agentVersion: event.agentVersion,
    at: event.at,
    summary: event.summary,
    model: null,
    tokens: null,
    latencyMs: null,
  };
  if (event.type === "llm_call") {
    const llm = llmCallSchema.safeParse(event.data);
    if (llm.success) {
      step.model = llm.data.model ?? null;
      step.tokens = llm.data.usage ? { input: llm.data.usage.inputTokens, output: llm.data.usage.outputTokens } : null;
      step.latencyMs = llm.data.latencyMs ?? null;
    }
  } else if (event.type === "tool_call") {
    const tool = toolCallSchema.safeParse(event.data);
    if (tool.success) step.latencyMs = Math.max(0, tool.data.finishedAt - tool.data.startedAt);
  }
  return step;
}
