import { type AgentDefinition, type ModelTier } from "./agent";
import { admitModelCall, settleModelCall, tierOfCall } from "./budget/call";
import { type BudgetBreach } from "./budget/conversation";
import { answerFromCache, rememberAnswer } from "./cache/turn";
import { type StepContext } from "./context";
import { type ModelRequest, type ModelResponse, ProviderError } from "./model";
import { type EventPayload } from "./events";
import { type EventRecorder } from "./recorder";
import { redactDeep } from "./redaction";
import { BreakerOpenError, type CallFailure, callFailureOf } from "./resilience/errors";
import { type Message, type RunState, type Thread, type ToolCall } from "./state";
import { checkOutput, correctionPrompt } from "./validation";

/** Result of one agent turn as far as the model is concerned. */
export type ModelTurn =
  | { kind: "tool_calls"; calls: ToolCall[]; text?: string }
  | { kind: "output"; output: unknown }
  | { kind: "failed"; reason: "validation_failed" | CallFailure; detail: string }
  | { kind: "budget_exhausted"; breach: BudgetBreach };

type CallResult =
  | { kind: "response"; response: ModelResponse; costUsd: number | null }
  | { kind: "error"; error: ProviderError }
  | { kind: "budget_exhausted"; breach: BudgetBreach };

/** Schema violations get exactly one corrective retry; the second violation is the failure path. */
const maxAttempts = 2;

/**
 * Calls the model for a thread and validates a final answer against the agent's schema. A schema
 * violation (or a provider's `malformed_output`) is answered with ONE new call that carries the
 * validation errors; the corrective exchange is not kept in the thread's history, only in events.
 */
export async function takeModelTurn(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  rec: EventRecorder,
): Promise<ModelTurn> {
  const cached = await answerFromCache(ctx, state, thread, agent, rec);
  if (cached) return cached;
  let messages: readonly Message[] = thread.messages;
  let issues: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const result = await callModel(ctx, state, thread, agent, messages, attempt, rec);
    let raw = "";
    if (result.kind === "budget_exhausted") return result;
    if (result.kind === "error") {
      if (result.error.kind !== "malformed_output") {
        return {
          kind: "failed",
          reason: callFailureOf(result.error),
          detail: `${result.error.kind}: ${redactDeep(ctx.redactor, result.error.message)}`,
        };
      }
      issues = [redactDeep(ctx.redactor, result.error.message)];
    } else {
      const { response } = result;
      if (response.toolCalls && response.toolCalls.length > 0) {
        return { kind: "tool_calls", calls: [...response.toolCalls], text: response.text };
      }
      const check = checkOutput(agent, response);
      if (check.ok) {
        await rememberAnswer(ctx, state, thread, agent, { output: check.output, model: response.model, costUsd: result.costUsd });
        return { kind: "output", output: check.output };
      }
      issues = check.issues;
      raw = check.raw;
    }
    rec.agent(agent, { type: "validation_failed", threadId: thread.id, attempt, issues });
    if (attempt < maxAttempts) {
      rec.agent(agent, {
        type: "retry",
        threadId: thread.id,
        reason: "validation",
        attempt: attempt + 1,
      });
      const echo: Message[] = raw ? [{ role: "assistant", content: raw }] : [];
      messages = [...thread.messages, ...echo, { role: "user", content: correctionPrompt(issues) }];
    }
  }
  return { kind: "failed", reason: "validation_failed", detail: issues.join("; ") };
}

/** One model call through the resilience seam, recorded as an `llm_call` event either way. */
async function callModel(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  messages: readonly Message[],
  attempt: number,
  rec: EventRecorder,
): Promise<CallResult> {
  const { tier, downgradedFrom } = tierOfCall(state, agent);
  const request = buildRequest(ctx, agent, tier, messages);
  const admission = await admitModelCall(ctx, state, agent, request);
  if (!admission.ok) return { kind: "budget_exhausted", breach: admission.breach };
  const started = ctx.clock.now();
  const base = {
    type: "llm_call" as const,
    threadId: thread.id,
    attempt,
    tier,
    ...(downgradedFrom ? { downgradedFrom } : {}),
    input: { messages: messages.length, last: bounded(lastContent(messages)) },
  };
  const hooks = {
    onRetry: (notice: { attempt: number; delayMs: number }) =>
      rec.agent(agent, {
        type: "retry",
        threadId: thread.id,
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
    output: boundedValue(response.toolCalls?.length ? response.toolCalls : (response.output ?? response.text)),
  });
  return { kind: "response", response, costUsd };
}

type CallBase = Pick<
  Extract<EventPayload, { type: "llm_call" }>,
  "type" | "threadId" | "attempt" | "tier" | "downgradedFrom" | "input"
>;

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

function bounded(text: string): string {
  return text.length <= MAX_RECORDED_CHARS ? text : `${text.slice(0, MAX_RECORDED_CHARS)}…`;
}

function boundedValue(value: unknown): unknown {
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
