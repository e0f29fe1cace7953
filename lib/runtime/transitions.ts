import { type Chain, type ThreadSpec, type Transition } from "./chain";
import { hopBreach, recordEffects } from "./coordination/effects";
import { ConfigurationError } from "./errors";
import { type CompletionBound } from "./events";
import { type EventRecorder } from "./recorder";
import { replyTextOf } from "./reply";
import { type EscalationReason, type Interruption, type RunState, type Thread } from "./state";

/**
 * State changes shared by steps and human decisions. They mutate a draft state that the caller
 * cloned from the checkpoint, and record the matching events, so state and log never disagree.
 */

/** Opens a thread for the pinned version of `spec.agent`; its first message is the input. */
export function openThread(state: RunState, spec: ThreadSpec): Thread {
  const version = state.versions[spec.agent];
  if (version === undefined)
    throw new ConfigurationError(`run ${state.runId} has no pinned version of ${spec.agent}`);
  state.threadCounter += 1;
  const thread: Thread = {
    id: `t${state.threadCounter}`,
    agent: spec.agent,
    version,
    role: spec.role,
    index: spec.index,
    status: "running",
    messages: [{ role: "user", content: spec.input }],
    pendingCalls: [],
    turns: 0,
    ...(spec.peer ? { peer: spec.peer } : {}),
  };
  state.threads.push(thread);
  return thread;
}

/**
 * Puts a fresh thread of `agent` in `thread`'s place: the same role, position and original
 * request, and the same peer message, so a peer's successor answers as that peer (the group
 * delivers, deduplicates and settles by `thread.peer`). The old thread is handed off and its
 * unanswered tool calls dropped. Shared by handoffs and the fallback ladder's agent rungs.
 */
export function openSuccessor(state: RunState, thread: Thread, agent: string): Thread {
  const input = thread.messages.find((m) => m.role === "user")?.content ?? state.input;
  retireThread(thread, "handed_off");
  return openThread(state, { agent, role: thread.role, index: thread.index, input, peer: thread.peer });
}

/**
 * Ends `thread` for good: no pattern runs a done or handed-off thread again, so its history goes
 * (its answer is `output`, its turns are in the run's events). Keeping it would rewrite every
 * finished stage's input and answer into each later checkpoint, per step. A peer keeps its entry
 * message: the group tells a subscriber's input by it (patterns/mesh.ts).
 */
export function retireThread(thread: Thread, status: "done" | "handed_off"): void {
  thread.status = status;
  thread.pendingCalls = [];
  thread.messages.length = thread.peer ? Math.min(thread.messages.length, 1) : 0;
}

export function completeRun(
  state: RunState,
  output: unknown,
  rec: EventRecorder,
  bound?: CompletionBound,
): void {
  state.status = "completed";
  state.output = output;
  rec.run({ type: "completed", output, partial: bound !== undefined, bound });
}

export function escalateRun(
  state: RunState,
  reason: EscalationReason,
  detail: string | undefined,
  rec: EventRecorder,
): void {
  state.status = "escalated";
  state.escalation = { reason, detail };
  rec.run({ type: "escalated", reason, detail });
}

/** Whether the run's last validated output is something to tell the customer (replyTextOf). */
export function hasBestAnswer(state: Readonly<RunState>): boolean {
  return state.lastOutput !== undefined && replyTextOf(state.lastOutput.output) !== null;
}

/**
 * Ends a run that hit a bound (steps, wall clock, cost, hops). It answers with the last validated
 * output, marked partial, only when that output has reply text for the customer; an intermediate
 * result (a triage verdict, a peer's signal) escalates instead, so that no customer is told "passed
 * to our support team" while no person was told anything.
 */
export function endAtBound(
  state: RunState,
  bound: CompletionBound,
  escalation: { reason: EscalationReason; detail: string },
  rec: EventRecorder,
): void {
  if (state.lastOutput && hasBestAnswer(state)) completeRun(state, state.lastOutput.output, rec, bound);
  else escalateRun(state, escalation.reason, escalation.detail, rec);
}

/** Parks the run until a human answers; the wall-clock budget stops counting while parked. */
export function addInterruption(
  state: RunState,
  interruption: Interruption,
  rec: EventRecorder,
  now: number,
): void {
  state.interruptions.push(interruption);
  if (state.status === "running") {
    state.status = "waiting_for_human";
    state.parkedAt = now;
  }
  rec.run({ type: "interrupted", interruptionIds: [interruption.id] });
}

/** Applies a pattern's decision. Only a running or parked run moves on; a settled run stays. */
export function applyTransition(
  chain: Chain,
  state: RunState,
  transition: Transition,
  rec: EventRecorder,
  now: number,
): void {
  if (state.status !== "running" && state.status !== "waiting_for_human") return;
  const effects = transition.effects ?? [];
  const hops = hopBreach(state, effects, chain.limits.maxHops);
  if (hops !== undefined) {
    // Like the other bounds. The output that breached is usually a peer's message to its peers,
    // which is not an answer, so this mostly escalates.
    endAtBound(state, "max_hops", { reason: "max_hops", detail: hops }, rec);
    return;
  }
  const opened =
    transition.kind === "continue" ? transition.open.map((spec) => openThread(state, spec)) : [];
  recordEffects(state, effects, opened, rec);
  switch (transition.kind) {
    case "continue":
      return;
    case "complete":
      if (transition.answeredBy !== undefined)
        state.lastOutput = { agent: transition.answeredBy, output: transition.output };
      completeRun(state, transition.output, rec);
      return;
    case "escalate":
      escalateRun(state, transition.reason, transition.detail, rec);
      return;
    case "review": {
      const id = `${state.runId}:review:${state.step}:${transition.stage}`;
      const interruption = {
        kind: "human_review" as const,
        id,
        stage: transition.stage,
        prompt: transition.prompt,
        payload: transition.payload,
      };
      addInterruption(state, interruption, rec, now);
      return;
    }
  }
  assertNever(transition, chain.name);
}

function assertNever(value: never, chain: string): never {
  throw new ConfigurationError(
    `chain ${chain} returned an unknown transition ${JSON.stringify(value)}`,
  );
}
