import { type Chain, type ThreadSpec, type Transition } from "./chain";
import { hopBreach, recordEffects } from "./coordination/effects";
import { ConfigurationError } from "./errors";
import { type CompletionBound } from "./events";
import { type EventRecorder } from "./recorder";
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
    // Recorded like the other bounds: the best answer so far, or a person.
    if (state.lastOutput) completeRun(state, state.lastOutput.output, rec, "max_hops");
    else escalateRun(state, "max_hops", hops, rec);
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
