import { type AgentDefinition } from "./agent";
import { handoffAllowed } from "./bounds";
import { detectHandoffLoop } from "./handoff-loop";
import { type StepContext } from "./context";
import { type EventRecorder } from "./recorder";
import { type RunState, type Thread } from "./state";
import { type HandoffRequest } from "./tool-planning";
import { escalateRun, openSuccessor } from "./transitions";

/**
 * Passes control from `thread` to another agent. The target gets a fresh thread in the same
 * position (a peer's keeps its peer message: transitions.ts openSuccessor) with the thread's
 * original input plus the handoff context as a user message (the
 * context is model-written, so it stays out of instructions). Past `maxHandoffs` the run escalates
 * (`max_handoffs`); agents passing it back and forth escalate it as a `handoff_loop`.
 */
export function performHandoff(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  handoff: HandoffRequest,
  rec: EventRecorder,
): void {
  const limit = ctx.chain.limits.maxHandoffs;
  if (!handoffAllowed(state, ctx.chain.limits)) {
    escalateRun(
      state,
      "max_handoffs",
      `handoff ${agent.name} -> ${handoff.to} exceeds ${limit} handoffs`,
      rec,
    );
    return;
  }
  const loop = detectHandoffLoop(state, thread, handoff.to);
  if (loop) {
    escalateRun(state, "handoff_loop", loop, rec);
    return;
  }
  state.handoffs += 1;
  const next = openSuccessor(state, thread, handoff.to);
  next.messages.push({ role: "user", content: `Handoff from ${agent.name}: ${handoff.context}` });
  rec.agent(agent, {
    type: "handoff",
    threadId: thread.id,
    from: agent.name,
    to: handoff.to,
    toThreadId: next.id,
    context: handoff.context,
  });
}
