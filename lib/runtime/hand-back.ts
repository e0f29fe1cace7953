import { z } from "zod";
import { clonePlain } from "./clone";
import { type Chain } from "./chain";
import { ConfigurationError } from "./errors";
import { type Clock } from "./ports";
import { EventRecorder } from "./recorder";
import { type RunState } from "./state";
import { type StepResult } from "./step";
import { openThread, retireThread } from "./transitions";

export const handBackSchema = z.object({
  /** What the person tells the agents; recorded in the log, never shown to the customer. */
  note: z.string().trim().min(1).max(2000),
  /**
   * The agents' new input: the conversation as it stands now (customer messages and human
   * replies sent while it was escalated) with the note. Untrusted text, so it travels as the
   * entry threads' user message, never as instructions.
   */
  input: z.string().min(1).max(100_000),
  by: z.string().optional(),
});
/** A person returning an escalated run to the agents; validated because it comes from the console. */
export type HandBack = z.infer<typeof handBackSchema>;

/**
 * Returns an escalated run to its agents: a pure function of the checkpoint, like {@link resume}.
 * The SAME run continues (its id, log, usage, step counter and therefore idempotency keys carry
 * on); threads left running are closed and the chain's entry threads open on the new input. The
 * bounds that ended it start afresh (wall-clock budget, steps, handoffs), otherwise the run would
 * escalate again on its very next step.
 * @throws ConfigurationError when the run is not escalated.
 */
export function handBack(
  chain: Chain,
  current: RunState,
  request: HandBack,
  clock: Clock,
): StepResult {
  if (current.status !== "escalated") {
    throw new ConfigurationError(`run ${current.runId} is ${current.status}, not escalated`);
  }
  const state = clonePlain(current);
  const rec = new EventRecorder(clock);
  for (const thread of state.threads) {
    if (thread.status === "running") retireThread(thread, "handed_off");
  }
  state.status = "running";
  state.escalation = undefined;
  state.interruptions = [];
  state.input = request.input;
  state.deadlineAt = clock.now() + chain.limits.budgetMs;
  state.restartedAt = { step: state.step, threads: state.threads.length };
  state.handoffs = 0;
  if (state.mesh) state.mesh.hops = 0;
  const opened = chain.entry(request.input).map((spec) => openThread(state, spec).id);
  rec.run({ type: "handed_back", note: request.note, by: request.by, threads: opened });
  return { state, events: rec.drafts };
}
