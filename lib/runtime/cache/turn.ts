import { type AgentDefinition } from "../agent";
import { type StepContext } from "../context";
import { boundedValue } from "../model-call";
import { type EventRecorder } from "../recorder";
import { type RunState, type Thread } from "../state";
import { checkOutput } from "../validation";
import { type CacheRequest } from "./port";

/**
 * The cache key of a thread: its agent version and the request it was opened with. Notes added
 * after it (a router's handoff context) are routing, not content, so they are not part of it; a
 * revision or a hand-back opens its thread with a different request and so never meets the answer
 * it replaces.
 */
function cacheRequest(ctx: StepContext, state: RunState, thread: Thread, agent: AgentDefinition): CacheRequest | null {
  if (!ctx.cache || !agent.cache) return null;
  const first = thread.messages[0];
  if (first?.role !== "user") return null;
  const input = agent.cache.key ? agent.cache.key(first.content) : first.content;
  if (input === null) return null;
  return { runId: state.runId, agent: agent.name, version: agent.version, input, policy: agent.cache };
}

/**
 * A stored answer for a thread that has not called the model yet, validated against the agent's
 * schema like any model output and recorded as a `cache_hit` with the cost it saved; null on a miss.
 */
export async function answerFromCache(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  rec: EventRecorder,
): Promise<{ kind: "output"; output: unknown } | null> {
  if (thread.turns > 0 || thread.messages.some((m) => m.role !== "user")) return null;
  const request = cacheRequest(ctx, state, thread, agent);
  if (!request || !ctx.cache) return null;
  const hit = await ctx.cache.lookup(request);
  if (!hit) return null;
  const check = checkOutput(agent, { output: hit.output, usage: { inputTokens: 0, outputTokens: 0 }, model: hit.model, latencyMs: 0 });
  if (!check.ok) return null;
  rec.agent(agent, {
    type: "cache_hit",
    threadId: thread.id,
    match: hit.match,
    similarity: hit.similarity,
    savedUsd: hit.savedUsd,
    model: hit.model,
    ageMs: hit.ageMs,
    output: boundedValue(check.output),
  });
  return { kind: "output", output: check.output };
}

/** Stores a validated model answer, unless it came from a tier the budget lowered. */
export async function rememberAnswer(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  answer: { output: unknown; model: string; costUsd: number | null },
): Promise<void> {
  if (state.budget?.downgraded) return;
  const request = cacheRequest(ctx, state, thread, agent);
  if (request && ctx.cache) await ctx.cache.store(request, answer);
}
