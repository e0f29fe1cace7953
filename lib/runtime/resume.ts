import { clonePlain } from "./clone";
import { type Chain, runnableAgent } from "./chain";
import { ConfigurationError } from "./errors";
import { EventRecorder } from "./recorder";
import { type StepResult } from "./step";
import { type HumanDecision, type Interruption, type RunState } from "./state";
import { applyTransition } from "./transitions";
import { type Clock } from "./ports";

/**
 * Applies a human's decision to a parked run: a pure function of the checkpoint, so any process
 * can do it. Approving a tool call lets it run at the thread's next turn; rejecting it answers
 * the model with the rejection instead. A review decision goes to the chain's pattern. When the
 * last interruption is answered the run is running again and the time spent waiting is added
 * back to its wall-clock budget.
 * @throws ConfigurationError when the run is not waiting or the interruption is unknown.
 */
export function resume(
  chain: Chain,
  current: RunState,
  decision: HumanDecision,
  clock: Clock,
): StepResult {
  if (current.status !== "waiting_for_human") {
    throw new ConfigurationError(
      `run ${current.runId} is ${current.status}, not waiting_for_human`,
    );
  }
  const interruption = current.interruptions.find((i) => i.id === decision.interruptionId);
  if (!interruption)
    throw new ConfigurationError(
      `run ${current.runId} has no interruption ${decision.interruptionId}`,
    );
  const state = clonePlain(current);
  const rec = new EventRecorder(clock);
  const now = clock.now();
  const { interruptionId, approved, note, by } = decision;
  const decisionEvent = { type: "human_decision" as const, interruptionId, approved, note, by };
  state.interruptions = state.interruptions.filter((i) => i.id !== interruption.id);
  if (interruption.kind === "tool_approval") {
    const agent = attributedAgent(chain, state, interruption);
    rec.agent(agent, decisionEvent);
    decideToolCall(state, interruption, decision, rec, agent);
  } else {
    rec.run(decisionEvent);
    if (!chain.onReview) throw new ConfigurationError(`chain ${chain.name} does not take reviews`);
    applyTransition(chain, state, chain.onReview(state, interruption, decision), rec, now);
  }
  if (state.status === "waiting_for_human" && state.interruptions.length === 0) {
    state.status = "running";
    state.deadlineAt += now - (state.parkedAt ?? now);
    state.parkedAt = undefined;
  }
  return { state, events: rec.drafts };
}

type ToolApproval = Extract<Interruption, { kind: "tool_approval" }>;

function attributedAgent(chain: Chain, state: RunState, interruption: ToolApproval) {
  const thread = state.threads.find((t) => t.id === interruption.threadId);
  if (!thread)
    throw new ConfigurationError(`run ${state.runId} lost thread ${interruption.threadId}`);
  return runnableAgent(chain, thread);
}

function decideToolCall(
  state: RunState,
  interruption: ToolApproval,
  decision: HumanDecision,
  rec: EventRecorder,
  agent: { name: string; version: number },
): void {
  const thread = state.threads.find((t) => t.id === interruption.threadId);
  const call = thread?.pendingCalls.find((c) => c.key === interruption.callKey);
  if (!thread || !call)
    throw new ConfigurationError(`run ${state.runId} lost call ${interruption.callKey}`);
  if (decision.approved) {
    call.status = "approved";
    return;
  }
  const reason = decision.note
    ? `rejected by a human reviewer: ${decision.note}`
    : "rejected by a human reviewer";
  call.status = "rejected";
  call.result = { ok: false, error: reason };
  rec.agent(agent, {
    type: "tool_refused",
    threadId: thread.id,
    tool: call.name,
    input: call.args,
    reason: "rejected_by_human",
    detail: decision.note,
  });
}
