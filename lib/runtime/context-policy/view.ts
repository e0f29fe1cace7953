import { type AgentDefinition } from "../agent";
import { type StepContext } from "../context";
import { callModel, type CallOptions } from "../model-call";
import { type EventRecorder } from "../recorder";
import { type Message, type RunState, type Thread } from "../state";
import { checkOutput } from "../validation";
import { compactText, describePolicy, estimateTokens, turnsBeyondWindow, type TurnSummary } from "./policy";
import { summarizerAgent, summaryRequest, summarySchema } from "./summarizer";
import { turnsText, type Turn } from "./transcript";

/** The messages a call sends under the agent's context policy, and what the trace records. */
export interface ContextView {
  readonly messages: readonly Message[];
  readonly context?: CallOptions["context"];
}

/**
 * Shapes a thread's history by its agent's context policy. The checkpoint keeps the full
 * history; only what is sent changes. When a summary is needed and cannot be made (the
 * summariser failed or the budget refused it), the call gets the full context instead: a policy
 * saves tokens, it never loses turns.
 */
export async function contextView(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  rec: EventRecorder,
): Promise<ContextView> {
  const policy = agent.context;
  if (!policy || policy.kind === "full") return { messages: thread.messages };
  let beyond: readonly Turn[] = [];
  for (const m of thread.messages) {
    if (m.role !== "user") continue;
    const turns = turnsBeyondWindow(policy, m.content);
    if (turns.length > beyond.length) beyond = turns;
  }
  const summary = await summaryOf(ctx, state, thread, agent, beyond, rec);
  const described = describePolicy(policy);
  const messages = thread.messages.map((m) =>
    m.role === "user" ? { ...m, content: compactText(policy, m.content, summary) } : m,
  );
  const saved = JSON.stringify(thread.messages).length - JSON.stringify(messages).length;
  return { messages, context: { policy: described, savedTokens: estimateTokens(Math.max(0, saved)) } };
}

/**
 * Turns beyond the window that may wait verbatim before the summary is brought up to date: one
 * summariser call per few turns instead of one per turn, for a few more tokens per call.
 */
export const SUMMARY_BATCH_TURNS = 2;

// Threads of one step run in parallel and see the same conversation: one summariser call serves
// them all. Keyed by the step's draft state, like the budget's calls in flight.
const pending = new WeakMap<RunState, Promise<TurnSummary | null>>();

/**
 * The rolling summary for a conversation whose turns before the window are `turns`: the
 * checkpointed one while fewer than {@link SUMMARY_BATCH_TURNS} turns are missing from it (they
 * are sent verbatim meanwhile); otherwise the summariser folds the missing turns into it. A new
 * summary is written to the draft state, so it is committed with the step and a resumed run does
 * not make it again; so is a failed attempt, which is not repeated until another
 * {@link SUMMARY_BATCH_TURNS} turns have left the window. Null: no summary yet, the transcript is
 * sent whole.
 */
function summaryOf(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  turns: readonly Turn[],
  rec: EventRecorder,
): Promise<TurnSummary | null> {
  const have = state.context?.summary ?? null;
  if (!summaryDue(state.context, turns.length)) return Promise.resolve(have);
  let result = pending.get(state);
  if (!result) {
    result = summarise(ctx, state, thread, agent, turns, rec);
    pending.set(state, result);
  }
  return result;
}

/**
 * Whether the summariser should run for a conversation with `turns` turns before the window: once
 * {@link SUMMARY_BATCH_TURNS} turns are missing from the summary, and as many more since its last
 * failed attempt, if any.
 */
export function summaryDue(context: RunState["context"], turns: number): boolean {
  if (turns - (context?.summary?.turns ?? 0) < SUMMARY_BATCH_TURNS) return false;
  const failedAt = context?.summaryFailedAt;
  return failedAt === undefined || turns - failedAt >= SUMMARY_BATCH_TURNS;
}

async function summarise(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  turns: readonly Turn[],
  rec: EventRecorder,
): Promise<TurnSummary | null> {
  const have = state.context?.summary ?? null;
  const fresh = turns.slice(have?.turns ?? 0);
  const messages: Message[] = [{ role: "user", content: summaryRequest(have?.text ?? null, turnsText(fresh)) }];
  // The summariser works for the agent: when a hard daily limit pauses the agent, it pauses too.
  const summarizer = agent.critical === summarizerAgent.critical ? summarizerAgent : { ...summarizerAgent, critical: agent.critical };
  const result = await callModel(ctx, state, thread.id, summarizer, messages, 1, rec);
  const check = result.kind === "response" ? checkOutput(summarizerAgent, result.response) : null;
  const parsed = check?.ok ? summarySchema.safeParse(check.output) : null;
  if (!parsed?.success) {
    // A failed summary keeps the older one: the turns it misses are then sent verbatim.
    state.context = { ...state.context, summaryFailedAt: turns.length };
    return have;
  }
  const summary = { turns: turns.length, text: parsed.data.summary };
  const { summaryFailedAt: _cleared, ...rest } = state.context ?? {};
  state.context = { ...rest, summary };
  return summary;
}
