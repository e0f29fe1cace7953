import { type AgentDefinition } from "../agent";
import { type Chain, type ChainBase } from "../chain";
import { ConfigurationError } from "../errors";
import { type EventRecorder } from "../recorder";
import { type EscalationReason, type RunState, type Thread } from "../state";
import { applyTransition, escalateRun, openSuccessor, retireThread } from "../transitions";
import { type CallFailure } from "./errors";

/** One rung below the specialists. */
export type FallbackRung =
  | { readonly kind: "agent"; readonly agent: string }
  /**
   * A canned answer built without a model (trusted text only: it answers the run as is, without
   * review). Returning undefined declines, and the ladder goes on to the next rung.
   */
  | {
      readonly kind: "template";
      readonly answer: (state: Readonly<RunState>, failed: Readonly<Thread>) => unknown;
    }
  | { readonly kind: "human" };

/**
 * A chain's fallback ladder, e.g. specialist → general agent → template answer → human. An agent
 * that fails (its breaker is open, its retries ran out, its provider failed) hands the thread to
 * the first rung BELOW its own: agents not named on a rung are specialists, above all rungs; an
 * agent on a rung falls to the rungs under it. The ladder always ends with a person.
 */
export interface FallbackLadder {
  readonly rungs: readonly FallbackRung[];
  /** Agents whose input no rung agent could answer (a reviewer): they skip the agent rungs. */
  readonly skipAgentRungs?: readonly string[];
}

/** Who answered when the template rung did: the run's `lastOutput.agent`, the message author. */
export const TEMPLATE_AUTHOR = "fallback-template";

const ladderFailures: ReadonlySet<string> = new Set<CallFailure>([
  "provider_error",
  "retries_exhausted",
  "breaker_open",
]);

/** @throws ConfigurationError when a rung names an agent the chain does not have. */
export function checkLadder(base: ChainBase, agents: readonly AgentDefinition[]): void {
  const names = new Set(agents.map((a) => a.name));
  for (const rung of base.fallback?.rungs ?? []) {
    if (rung.kind === "agent" && !names.has(rung.agent))
      throw new ConfigurationError(
        `chain ${base.name}: fallback rung ${rung.agent} is not in the chain`,
      );
  }
}

/** The escalation reason of a failed turn that no ladder caught. */
export function escalationFor(reason: string): EscalationReason {
  if (reason === "breaker_open") return "fallback_to_human";
  return reason as EscalationReason;
}

/**
 * Moves a thread whose model turn failed down the chain's ladder, recording a `fallback` event
 * that names the rung which takes over. Returns false when the chain has no ladder or the failure
 * is not one a ladder handles (the caller escalates).
 */
export function fallBack(
  chain: Chain,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  failure: { reason: string; detail: string },
  rec: EventRecorder,
  now: number,
): boolean {
  const ladder = chain.fallback;
  if (!ladder || !ladderFailures.has(failure.reason)) return false;
  const taken = (rung: number, to: string) =>
    rec.agent(agent, {
      type: "fallback",
      threadId: thread.id,
      from: agent.name,
      to,
      rung,
      reason: failure.reason as CallFailure,
      detail: failure.detail,
    });
  const own = ladder.rungs.findIndex((r) => r.kind === "agent" && r.agent === agent.name);
  const skipAgents = ladder.skipAgentRungs?.includes(agent.name) ?? false;
  let i = own + 1;
  for (; i < ladder.rungs.length; i++) {
    const rung = ladder.rungs[i]!;
    if (rung.kind === "human") break;
    if (rung.kind === "agent") {
      if (skipAgents || state.versions[rung.agent] === undefined) continue;
      taken(i + 1, rung.agent);
      // The rung's agent takes the failed thread's place with its original request.
      openSuccessor(state, thread, rung.agent);
      return true;
    }
    const output = rung.answer(state, thread);
    if (output === undefined) continue;
    taken(i + 1, TEMPLATE_AUTHOR);
    retireThread(thread, "done");
    const done = { kind: "complete" as const, output, answeredBy: TEMPLATE_AUTHOR };
    applyTransition(chain, state, done, rec, now);
    return true;
  }
  taken(i + 1, "human");
  escalateRun(state, "fallback_to_human", `${agent.name}: ${failure.detail}`, rec);
  return true;
}
