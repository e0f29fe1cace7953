import { type AgentDefinition, type ModelTier } from "./agent";
import { admitModelCall, settleModelCall, tierOfCall } from "./budget/call";
import { type BudgetBreach } from "./budget/conversation";
import { type StepContext } from "./context";
import { type EventPayload } from "./events";
import { type ModelRequest, type ModelResponse, ProviderError } from "./model";
import { type EventRecorder } from "./recorder";
import { redactDeep } from "./redaction";
import { BreakerOpenError } from "./resilience/errors";
import { type Message, type RunState } from "./state";

export type CallResult =
  | { kind: "response"; response: ModelResponse; costUsd: number | null }
  | { kind: "error"; error: ProviderError }
  | { kind: "budget_exhausted"; breach: BudgetBreach };

type LlmCall = Extract<EventPayload, { type: "llm_call" }>;

export interface CallOptions {
  /** The tier a router chose for this thread; the agent's own tier when unset. */
  readonly tier?: ModelTier;
  /** How the agent's context policy shaped the messages (context-policy/view.ts). */
  readonly context?: LlmCall["context"];
  /** The caller has a default for a failure: not retried (ModelRequest.optional). */
  readonly optional?: boolean;
}

/** One model call through the resilience seam, recorded as an `llm_call` event either way. */
export async function callModel(
  ctx: StepContext,
  state: RunState,
  threadId: string,
  agent: AgentDefinition,
  messages: readonly Message[],
  attempt: number,
  rec: EventRecorder,
  options: CallOptions = {},
): Promise<CallResult> {
  const { tier, downgradedFrom } = tierOfCall(state, agent, options.tier);
  const request = { ...buildRequest(ctx, agent, tier, messages), ...(options.optional ? { optional: true } : {}) };
  const admission = await admitModelCall(ctx, state, agent, request);
  if (!admission.ok) return { kind: "budget_exhausted", breach: admission.breach };
  const started = ctx.clock.now();
  const base: CallBase = {
    type: "llm_call" as const,
    threadId,
    attempt,
    tier,
    ...(downgradedFrom ? { downgradedFrom } : {}),
    input: { messages: messages.length, last: bounded(lastContent(messages)) },
    ...(options.context ? { context: options.context } : {}),
  };
  const hooks = {
    onRetry: (notice: { attempt: number; delayMs: number }) =>
      rec.agent(agent, {
        type: "retry",
        threadId,
        reason: "provider_error",
        attempt: notice.attempt,
        delayMs: notice.delayMs,
      }),
  };
  let response: ModelResponse;
  try {
    // A model that obeyed an injected "print your key" is stopped here, before anything records it.
    response = redactDeep(ctx.redactor, await ctx.invoke(ctx.model, request, hooks));
  } catch (error) {
    await settleModelCall(ctx, state, admission, null);
    return failedCall(ctx, agent, base, started, error, rec);
  }
  const costUsd = await settleModelCall(ctx, state, admission, response);
  state.usage.inputTokens += response.usage.inputTokens;
  state.usage.outputTokens += response.usage.outputTokens;
  const finish = response.toolCalls && response.toolCalls.length > 0 ? "tool_calls" : "output";
  rec.agent(agent, {
    ...base,
    model: response.model,
    usage: response.usage,
    latencyMs: response.latencyMs,
    ...(ctx.pricing ? { costUsd } : {}),
    finish,
    output: boundedValue(finish === "tool_calls" ? response.toolCalls : (response.output ?? response.text)),
    // With tool calls the text is not the answer, but it joins the thread's history (a replay
    // of the step must give it back, log-replay/).
    ...(finish === "tool_calls" && response.text !== undefined ? { text: bounded(response.text) } : {}),
  });
  return { kind: "response", response, costUsd };
}

type CallBase = Pick<LlmCall, "type" | "threadId" | "attempt" | "tier" | "downgradedFrom" | "input" | "context">;

function failedCall(
  ctx: StepContext,
  agent: AgentDefinition,
  base: CallBase,
  started: number,
  error: unknown,
  rec: EventRecorder,
): CallResult {
  // Anything but a classified provider error is a system failure: let it escape so the step is
  // not committed and the run stays at its last checkpoint for another worker.
  if (!(error instanceof ProviderError)) throw error;
  // Nothing went upstream: no llm_call to record; the fallback event says why.
  if (error instanceof BreakerOpenError) return { kind: "error", error };
  const usage = { inputTokens: 0, outputTokens: 0 };
  // Provider errors can quote a credential (a 401 that echoes the key).
  const message = redactDeep(ctx.redactor, error.message);
  const detail = { kind: error.kind, message, retryAfterMs: error.retryAfterMs };
  rec.agent(agent, {
    ...base,
    model: null,
    usage,
    latencyMs: ctx.clock.now() - started,
    finish: "error",
    error: detail,
  });
  return { kind: "error", error };
}

// Traces show each call's input and output; the whole history stays in the checkpoint, so the
// event keeps only the newest message and a bounded answer.
const MAX_RECORDED_CHARS = 8_000;

function lastContent(messages: readonly Message[]): string {
  const last = messages.at(-1);
  if (!last) return "";
  if (last.role === "assistant") return last.content ?? JSON.stringify(last.toolCalls ?? []);
  return last.content;
}

/** Text as events record it: cut at MAX_RECORDED_CHARS, marked by a trailing ellipsis. */
export function bounded(text: string): string {
  return text.length <= MAX_RECORDED_CHARS ? text : `${text.slice(0, MAX_RECORDED_CHARS)}…`;
}

/** Whether an event's text or answer was cut by {@link bounded} or {@link boundedValue}. A text of
 *  exactly that length that ends in an ellipsis reads as cut too: a replay then takes a snapshot
 *  it did not need, never a wrong answer. */
export function wasCut(value: unknown): boolean {
  return typeof value === "string" && value.length === MAX_RECORDED_CHARS + 1 && value.endsWith("…");
}

/** A model's answer as events record it: cut at MAX_RECORDED_CHARS of its JSON. */
export function boundedValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length <= MAX_RECORDED_CHARS ? value : `${text.slice(0, MAX_RECORDED_CHARS)}…`;
}

function buildRequest(
  ctx: StepContext,
  agent: AgentDefinition,
  tier: ModelTier,
  messages: readonly Message[],
): ModelRequest {
  return {
    agent,
    tier,
    messages,
    tools: ctx.tools.specsFor(agent),
    outputSchema: agent.outputSchema,
    maxOutputTokens: agent.limits.maxOutputTokens,
    signal: ctx.signal,
  };
}
