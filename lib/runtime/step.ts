import { type AgentDefinition } from "./agent";
import { checkBounds, finishOnBound } from "./bounds";
import { clonePlain } from "./clone";
import { applyConversationBudget, finishOnBudget } from "./budget/conversation";
import { runnableAgent } from "./chain";
import { type StepContext } from "./context";
import { ConfigurationError } from "./errors";
import { type EventDraft } from "./events";
import { performHandoff } from "./handoff";
import { type ModelTurn, takeModelTurn } from "./model-turn";
import { EventRecorder } from "./recorder";
import { escalationFor, fallBack } from "./resilience/ladder";
import { type RunState, type Thread } from "./state";
import { executePendingCalls } from "./tool-execution";
import { type CallCounter, planToolCalls } from "./tool-planning";
import { applyTransition, escalateRun, retireThread } from "./transitions";

/** A step's outcome: the next checkpoint and the events that lead to it, not yet committed. */
export interface StepResult {
  readonly state: RunState;
  readonly events: EventDraft[];
}

interface ThreadTurn {
  readonly thread: Thread;
  readonly agent: AgentDefinition;
  readonly rec: EventRecorder;
  readonly turn: ModelTurn | { kind: "failed"; reason: "max_turns"; detail: string };
}

/**
 * Executes one step of a running run: checks the bounds, advances every running thread by one
 * turn (in parallel, which is the orchestrator-worker fan-out) and applies the pattern's
 * transitions in thread order. Writes nothing: the input state is left untouched and the caller
 * commits `{state, events}` in one write, so a step that loses a race or crashes leaves no trace
 * except ledger entries, which make its re-execution replay instead of repeat tool effects.
 */
export async function executeStep(ctx: StepContext, current: RunState): Promise<StepResult> {
  if (current.status !== "running")
    throw new ConfigurationError(`run ${current.runId} is ${current.status}`);
  const state = clonePlain(current);
  const rec = new EventRecorder(ctx.clock);
  state.step += 1;
  const active = state.threads.filter((thread) => thread.status === "running");
  rec.run({ type: "step_started", step: state.step, threads: active.map((thread) => thread.id) });
  const breach = checkBounds(state, ctx.chain.limits, ctx.clock.now());
  if (breach) {
    finishOnBound(state, breach, rec);
    return { state, events: rec.drafts };
  }
  if (applyConversationBudget(state, rec)) return { state, events: rec.drafts };
  if (active.length === 0)
    throw new ConfigurationError(`chain ${ctx.chain.name} left run ${state.runId} without work`);
  const turns = await Promise.all(
    active.map((thread) => advanceThread(ctx.forThread?.(thread.id) ?? ctx, state, thread)),
  );
  const counter: CallCounter = { next: 0 };
  for (const turn of turns) {
    rec.append(turn.rec);
    // Once the run is settled (another thread escalated) the remaining turns are only recorded.
    if (state.status === "running" || state.status === "waiting_for_human")
      applyTurn(ctx, state, turn, counter, rec);
  }
  return { state, events: rec.drafts };
}

/** One thread's turn: answer its pending tool calls, then one model call (plus correction). */
async function advanceThread(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
): Promise<ThreadTurn> {
  const agent = runnableAgent(ctx.chain, thread);
  const rec = new EventRecorder(ctx.clock);
  // Checked before the pending calls run: their results could never reach the model anyway.
  if (thread.turns >= agent.limits.maxTurns) {
    const detail = `${agent.name} used its ${agent.limits.maxTurns} turns`;
    return { thread, agent, rec, turn: { kind: "failed", reason: "max_turns", detail } };
  }
  await executePendingCalls(ctx, state, thread, agent, rec);
  const turn = await takeModelTurn(ctx, state, thread, agent, rec);
  thread.turns += 1;
  return { thread, agent, rec, turn };
}

function applyTurn(
  ctx: StepContext,
  state: RunState,
  { thread, agent, turn }: ThreadTurn,
  counter: CallCounter,
  rec: EventRecorder,
): void {
  switch (turn.kind) {
    case "failed":
      if (fallBack(ctx.chain, state, thread, agent, turn, rec, ctx.clock.now())) return;
      escalateRun(state, escalationFor(turn.reason), turn.detail, rec);
      return;
    case "budget_exhausted":
      finishOnBudget(state, turn.breach, rec);
      return;
    case "output": {
      retireThread(thread, "done");
      thread.output = turn.output;
      state.lastOutput = { agent: agent.name, output: turn.output };
      applyTransition(
        ctx.chain,
        state,
        ctx.chain.onOutput(state, thread, turn.output),
        rec,
        ctx.clock.now(),
      );
      return;
    }
    case "tool_calls": {
      const handoff = planToolCalls(ctx, state, thread, agent, turn, counter, rec);
      if (handoff) performHandoff(ctx, state, thread, agent, handoff, rec);
      return;
    }
  }
}
