import { type AgentDefinition } from "./agent";
import { type StepContext } from "./context";
import { type ToolRefusalReason } from "./events";
import { type EventRecorder } from "./recorder";
import { type PendingCall, type RunState, type Thread, type ToolCall } from "./state";
import { addInterruption } from "./transitions";
import { handoffArgsSchema, handoffTarget } from "./tools";

/** A valid handoff found among a turn's tool calls. */
export interface HandoffRequest {
  readonly to: string;
  readonly context: string;
}

/** Numbers tool calls across all threads of a step, in thread order, so keys are deterministic. */
export interface CallCounter {
  next: number;
}

/**
 * Turns a model's tool calls into pending calls in the checkpoint. Nothing is executed here: the
 * calls, with their idempotency keys, become durable in this step's commit and run at the start
 * of the thread's next turn, so a crash can never leave an effect whose call was not recorded.
 * Returns the handoff when the turn asked for a valid one (other calls are then superseded).
 */
export function planToolCalls(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  turn: { calls: readonly ToolCall[]; text?: string },
  counter: CallCounter,
  rec: EventRecorder,
): HandoffRequest | undefined {
  const calls = turn.calls.map((call) => ({
    ...call,
    key: `${state.runId}:${state.step}:${counter.next++}`,
  }));
  const handoff = findHandoff(agent, calls);
  const refuse = refuser(agent, thread, rec);
  thread.messages.push({
    role: "assistant",
    content: turn.text,
    toolCalls: turn.calls.map((c) => ({ ...c })),
  });
  const planned: PendingCall[] = [];
  for (const [i, call] of calls.entries()) {
    if (handoff) {
      if (call !== handoff.call)
        refuse(call, "superseded_by_handoff", `handed off to ${handoff.to}`);
      continue;
    }
    if (handoffTarget(call.name) !== undefined) {
      planned.push(refuse(call, ...handoffRefusal(agent, call)));
    } else if (i >= agent.limits.maxToolCallsPerTurn) {
      planned.push(
        refuse(call, "too_many_calls", `at most ${agent.limits.maxToolCallsPerTurn} per turn`),
      );
    } else {
      planned.push(reviewCall(ctx, state, thread, agent, call, refuse, rec));
    }
  }
  thread.pendingCalls = planned;
  return handoff ? { to: handoff.to, context: handoff.context } : undefined;
}

type KeyedCall = ToolCall & { key: string };
type Refuse = (call: KeyedCall, reason: ToolRefusalReason, detail: string) => PendingCall;

/** Records a refusal and returns the answer the model will get in place of an effect. */
function refuser(agent: AgentDefinition, thread: Thread, rec: EventRecorder): Refuse {
  return (call, reason, detail) => {
    rec.agent(agent, {
      type: "tool_refused",
      threadId: thread.id,
      tool: call.name,
      input: call.args,
      reason,
      detail,
    });
    return {
      ...pending(call, "refused"),
      result: { ok: false, error: `refused (${reason}): ${detail}` },
    };
  };
}

function pending(
  call: KeyedCall,
  status: PendingCall["status"],
  args: unknown = call.args,
): PendingCall {
  return { key: call.key, callId: call.id, name: call.name, args, status };
}

function findHandoff(agent: AgentDefinition, calls: readonly KeyedCall[]) {
  for (const call of calls) {
    const to = handoffTarget(call.name);
    if (to === undefined || !agent.handoffs.includes(to)) continue;
    const args = handoffArgsSchema.safeParse(call.args);
    if (args.success) return { call, to, context: args.data.context };
  }
  return undefined;
}

function handoffRefusal(agent: AgentDefinition, call: ToolCall): [ToolRefusalReason, string] {
  const to = handoffTarget(call.name) ?? "";
  if (!agent.handoffs.includes(to))
    return ["not_allowed", `${agent.name} may not hand off to ${to}`];
  return ["invalid_arguments", "handoff needs {context: string}"];
}

/** Allow-list and schema check; approval-gated calls park the run with an interruption. */
function reviewCall(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  call: KeyedCall,
  refuse: Refuse,
  rec: EventRecorder,
): PendingCall {
  const review = ctx.tools.review(agent, call);
  if (!review.ok) return refuse(call, review.reason, review.detail);
  if (!review.needsApproval) return pending(call, "ready", review.args);
  const interruption = {
    kind: "tool_approval" as const,
    id: `${call.key}:approval`,
    threadId: thread.id,
    agent: agent.name,
    callKey: call.key,
    tool: call.name,
    args: review.args,
  };
  addInterruption(state, interruption, rec, ctx.clock.now());
  return pending(call, "awaiting_approval", review.args);
}
