import { type AgentDefinition } from "./agent";
import { type BudgetBreach } from "./budget/conversation";
import { answerFromCache, rememberAnswer } from "./cache/turn";
import { type StepContext } from "./context";
import { contextView } from "./context-policy/view";
import { callModel } from "./model-call";
import { routeThread } from "./routing/route";
import { type EventRecorder } from "./recorder";
import { redactDeep } from "./redaction";
import { type CallFailure, callFailureOf } from "./resilience/errors";
import { type Message, type RunState, type Thread, type ToolCall } from "./state";
import { checkOutput, correctionPrompt } from "./validation";

/** Result of one agent turn as far as the model is concerned. */
export type ModelTurn =
  | { kind: "tool_calls"; calls: ToolCall[]; text?: string }
  | { kind: "output"; output: unknown }
  | { kind: "failed"; reason: "validation_failed" | CallFailure; detail: string }
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
  await routeThread(ctx, state, thread, agent, rec);
  const view = await contextView(ctx, state, thread, agent, rec);
  const options = { context: view.context, tier: thread.tier };
  let messages: readonly Message[] = view.messages;
  let issues: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const result = await callModel(ctx, state, thread.id, agent, messages, attempt, rec, options);
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
      messages = [...view.messages, ...echo, { role: "user", content: correctionPrompt(issues) }];
    }
  }
  return { kind: "failed", reason: "validation_failed", detail: issues.join("; ") };
}

