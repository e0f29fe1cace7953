import { type RunState, type Thread } from "./state";

/**
 * Detects agents handing a conversation back and forth (A → B → A → B). A handoff closes a loop
 * when both its source and its target already handed this position off once before: the pair
 * has then been through each other's hands and is about to repeat a hop it made already. A single
 * hand-back to re-route (billing → router → technical) is not a loop, and neither is a long chain
 * of distinct agents, which `maxHandoffs` bounds instead.
 *
 * Only threads in the same position (role and index) count, so a reviewer's revision or a
 * parallel worker is not mistaken for part of another thread's handoff chain; after a person
 * handed the run back, only threads opened since then.
 * @returns a description of the loop, or undefined when the handoff may go ahead.
 */
export function detectHandoffLoop(
  state: Readonly<RunState>,
  thread: Thread,
  to: string,
): string | undefined {
  const since = state.restartedAt?.threads ?? 0;
  const earlier = state.threads
    .slice(since)
    .filter(
      (t) =>
        t.id !== thread.id &&
        t.role === thread.role &&
        t.index === thread.index &&
        t.status === "handed_off",
    );
  const handedOffBefore = (agent: string) => earlier.some((t) => t.agent === agent);
  if (!handedOffBefore(thread.agent) || !handedOffBefore(to)) return undefined;
  const path = [...earlier.map((t) => t.agent), thread.agent, to].join(" -> ");
  return `${thread.agent} and ${to} keep handing the conversation back and forth: ${path}`;
}
