import { z } from "zod";
import { conversationBudgetSchema } from "./budget/state";

/**
 * The serialisable run state: everything a process needs to continue a run, and nothing else
 * (no functions, no class instances). It is written as the checkpoint with every step, read back
 * through {@link runStateSchema}, and may be continued by any process that knows the chain.
 */

export const toolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  args: z.unknown(),
});
/** A tool call as the model proposed it. */
export type ToolCall = z.infer<typeof toolCallSchema>;

export const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("user"), content: z.string() }),
  z.object({
    role: z.literal("assistant"),
    content: z.string().optional(),
    toolCalls: z.array(toolCallSchema).optional(),
  }),
  z.object({ role: z.literal("tool"), callId: z.string(), name: z.string(), content: z.string() }),
]);
/** Conversation history of one thread. There is no system role: instructions come from the agent. */
export type Message = z.infer<typeof messageSchema>;

export const toolOutcomeSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), output: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
/** What a tool call produced; failures are reported to the model, not thrown through the loop. */
export type ToolOutcome = z.infer<typeof toolOutcomeSchema>;

export const pendingCallStatuses = [
  "ready",
  "awaiting_approval",
  "approved",
  "rejected",
  "refused",
] as const;

export const pendingCallSchema = z.object({
  /** Idempotency key `${runId}:${step}:${callIndex}`, fixed when the call is planned. */
  key: z.string(),
  callId: z.string(),
  name: z.string(),
  args: z.unknown(),
  status: z.enum(pendingCallStatuses),
  /** Set for refused and rejected calls: the answer the model gets instead of an effect. */
  result: toolOutcomeSchema.optional(),
});
/** A tool call accepted into the checkpoint and executed at the start of the thread's next turn. */
export type PendingCall = z.infer<typeof pendingCallSchema>;

export const threadRoles = [
  "stage",
  "agent",
  "orchestrator",
  "worker",
  "synthesizer",
  // A member of a peer group (patterns/mesh.ts).
  "peer",
] as const;
export type ThreadRole = (typeof threadRoles)[number];

export const peerRefSchema = z.object({
  group: z.string(),
  /** The peer this thread works as; a fallback agent keeps the name of the peer it stands in for. */
  as: z.string(),
  topic: z.string(),
  key: z.string(),
  /** Deduplication key: no two threads of a group ever share one. */
  subProblem: z.string(),
});
export type PeerRef = z.infer<typeof peerRefSchema>;

export const threadSchema = z.object({
  id: z.string(),
  agent: z.string(),
  version: z.number().int(),
  role: z.enum(threadRoles),
  /** Pipeline stage or subtask number; 0 where the pattern has no position. */
  index: z.number().int(),
  status: z.enum(["running", "done", "handed_off"]),
  messages: z.array(messageSchema),
  pendingCalls: z.array(pendingCallSchema),
  turns: z.number().int(),
  output: z.unknown().optional(),
  /** The tier a model router chose for this activation (routing/); the agent's own when unset. */
  tier: z.enum(["fast", "standard", "strong"]).optional(),
  /** Set on a peer thread: the message that opened it (patterns/mesh.ts). */
  peer: peerRefSchema.optional(),
});
/** One agent activation: its own history, pending tool calls and eventual output. */
export type Thread = z.infer<typeof threadSchema>;

export const interruptionSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("tool_approval"),
    id: z.string(),
    threadId: z.string(),
    agent: z.string(),
    callKey: z.string(),
    tool: z.string(),
    args: z.unknown(),
  }),
  z.object({
    kind: z.literal("human_review"),
    id: z.string(),
    stage: z.number().int(),
    prompt: z.string(),
    payload: z.unknown(),
  }),
]);
/** Why a run is parked as `waiting_for_human`. */
export type Interruption = z.infer<typeof interruptionSchema>;

export const humanDecisionSchema = z.object({
  interruptionId: z.string().min(1),
  approved: z.boolean(),
  /** For a review: the (possibly edited) value to continue with; defaults to the payload. */
  output: z.unknown().optional(),
  note: z.string().max(2000).optional(),
  by: z.string().optional(),
});
/** A human's answer to an {@link Interruption}; validated because it comes from the console. */
export type HumanDecision = z.infer<typeof humanDecisionSchema>;

export const runStatuses = [
  "running",
  "waiting_for_human",
  "completed",
  "escalated",
  "failed",
] as const;
export type RunStatus = (typeof runStatuses)[number];

export const escalationReasons = [
  "validation_failed",
  "provider_error",
  "max_handoffs",
  "max_steps",
  "max_turns",
  "wall_clock_budget",
  "invalid_plan",
  "rejected_by_human",
  // Set by a chain's reply gate (patterns/reply-gate.ts).
  "low_confidence",
  "rejected_by_reviewer",
  "customer_request",
  // Resilience, cost governance and inbox criteria.
  "retries_exhausted",
  "budget_exhausted",
  "fallback_to_human",
  "handoff_loop",
  // Coordination (patterns/mesh.ts): peers published more than the chain's hop bound, or
  // disagreed and the chain's conflict rule hands the decision to a person.
  "max_hops",
  "peer_conflict",
] as const;
export type EscalationReason = (typeof escalationReasons)[number];

/** A rolling summary of the first `turns` turns of a conversation (context-policy/). */
export const turnSummarySchema = z.object({ turns: z.number().int().positive(), text: z.string().max(4_000) });

export const runStateSchema = z.object({
  runId: z.string(),
  chain: z.string(),
  status: z.enum(runStatuses),
  /** Last committed event sequence number; the optimistic-concurrency token. */
  seq: z.number().int().nonnegative(),
  /** Number of steps taken; part of every idempotency key. */
  step: z.number().int().nonnegative(),
  input: z.string(),
  /** Agent versions pinned at start (sticky per conversation). */
  versions: z.record(z.string(), z.number().int()),
  /** Wall-clock deadline (epoch ms); pushed back by time spent waiting for a human. */
  deadlineAt: z.number(),
  parkedAt: z.number().optional(),
  /** Set when a person handed the run back (hand-back.ts): the step bound and handoff-loop
   *  detection count from this step and this many threads on. */
  restartedAt: z
    .object({ step: z.number().int().nonnegative(), threads: z.number().int().nonnegative() })
    .optional(),
  /** Conversation cost budget (budget/state.ts); absent when the run has no pricing. */
  budget: conversationBudgetSchema.optional(),
  handoffs: z.number().int().nonnegative(),
  threadCounter: z.number().int().nonnegative(),
  threads: z.array(threadSchema),
  interruptions: z.array(interruptionSchema),
  /** Most recent validated output of any agent: the answer of last resort when a bound hits. */
  lastOutput: z.object({ agent: z.string(), output: z.unknown() }).optional(),
  output: z.unknown().optional(),
  escalation: z
    .object({ reason: z.enum(escalationReasons), detail: z.string().optional() })
    .optional(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  /** Context economy (context-policy/): the rolling summary of the turns before the agents'
   *  windows, checkpointed so that a resumed run does not make it again. */
  context: z
    .object({
      summary: turnSummarySchema.optional(),
      /** Turns beyond the window when the summariser last failed (or was refused): it is tried
       *  again only once more turns have left the window, not on every step. */
      summaryFailedAt: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /** Peer coordination (patterns/mesh.ts): hops taken and the shared context store. */
  mesh: z
    .object({
      hops: z.number().int().nonnegative(),
      context: z.record(z.string(), z.unknown()),
    })
    .optional(),
});
/** The checkpoint. */
export type RunState = z.infer<typeof runStateSchema>;

/** True when no further step will run without outside input. */
export function isSettled(state: RunState): boolean {
  return state.status !== "running";
}
