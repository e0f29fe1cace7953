import { type AgentDefinition } from "../agent";
import { assembleChain, type Chain, type ChainBase } from "../chain";
import { ConfigurationError } from "../errors";
import { checkReviewer, gateOutput, type ReviewerConfig } from "./reply-gate";

export interface SupervisorConfig extends ChainBase {
  /** Receives the conversation first; hands off via `transfer_to_<agent>` tools. */
  router: AgentDefinition;
  /** Agents the router (and each other, per their `handoffs`) can pass control to. */
  specialists: readonly AgentDefinition[];
  /** Gates every reply: see {@link gateOutput}. Without one, the first output answers the run. */
  reviewer?: ReviewerConfig;
}

/**
 * A supervisor with handoffs: the router hands control to a specialist, which may answer, hand
 * back or hand on; whichever agent produces a validated final output answers the run (after the
 * reviewer approved it, when the chain has one). Handoffs are bounded by `maxHandoffs`, beyond
 * which the run escalates as a handoff loop; revisions by the reviewer's `maxRevisions`.
 */
export function supervisor(config: SupervisorConfig): Chain {
  if (config.router.handoffs.length === 0) {
    throw new ConfigurationError(
      `supervisor ${config.name}: router ${config.router.name} has no handoffs`,
    );
  }
  const agents = [config.router, ...config.specialists];
  const { reviewer } = config;
  if (reviewer) checkReviewer(reviewer, agents);
  return assembleChain(config, {
    pattern: "supervisor",
    agents: reviewer ? [...agents, reviewer.agent] : agents,
    entry: (input) => [{ agent: config.router.name, role: "agent", index: 0, input }],
    onOutput: (state, thread, output) =>
      reviewer ? gateOutput(reviewer, state, thread, output) : { kind: "complete", output },
  });
}
