import { type AgentDefinition } from "./agent";
import { type StepContext } from "./context";
import { ConfigurationError, SystemFailure } from "./errors";
import { type EventRecorder } from "./recorder";
import { redactDeep } from "./redaction";
import { type PendingCall, type RunState, type Thread, type ToolOutcome } from "./state";

interface Execution {
  outcome: ToolOutcome;
  startedAt: number;
  finishedAt: number;
  replayed: boolean;
}

/**
 * Executes a thread's pending calls (planned and made durable by the previous step) in the order
 * the model made them, and answers each in the thread's history. Refused and rejected calls
 * already carry their answer. Calls go through the ledger, so re-running this step after a crash
 * replays recorded outcomes instead of repeating effects.
 */
export async function executePendingCalls(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  rec: EventRecorder,
): Promise<void> {
  for (const call of thread.pendingCalls) {
    let outcome = call.result;
    if (call.status === "ready" || call.status === "approved") {
      const run = await executeWithLedger(ctx, state, thread, call);
      outcome = run.outcome;
      rec.agent(agent, {
        type: "tool_call",
        threadId: thread.id,
        key: call.key,
        tool: call.name,
        input: call.args,
        output: run.outcome,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        replayed: run.replayed,
      });
    }
    if (!outcome) throw new SystemFailure(`call ${call.key} is ${call.status} in a running thread`);
    thread.messages.push({
      role: "tool",
      callId: call.callId,
      name: call.name,
      content: JSON.stringify(outcome),
    });
  }
  thread.pendingCalls = [];
}

async function executeWithLedger(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  call: PendingCall,
): Promise<Execution> {
  const tool = ctx.tools.get(call.name);
  if (!tool) throw new ConfigurationError(`tool ${call.name} is no longer registered`);
  // The intent is durable before the effect; an existing completed entry means the effect
  // already happened in an attempt whose step was never committed.
  const entry = await ctx.ledger.begin(call.key, {
    tool: call.name,
    input: call.args,
    at: ctx.clock.now(),
  });
  if (entry.status === "completed" && entry.result) {
    return {
      outcome: entry.result,
      startedAt: entry.startedAt,
      finishedAt: entry.finishedAt ?? entry.startedAt,
      replayed: true,
    };
  }
  const startedAt = ctx.clock.now();
  let outcome: ToolOutcome;
  try {
    const output = await tool.execute(call.args, {
      idempotencyKey: call.key,
      runId: state.runId,
      agent: thread.agent,
      repeated: entry.attempts > 1,
      signal: ctx.signal,
    });
    outcome = { ok: true, output: redactDeep(ctx.redactor, toJson(output)) };
  } catch (error) {
    // A failing tool is information for the model (it can apologise, try another way or hand
    // off), recorded like any outcome so a replay sees the same failure.
    const message = error instanceof Error ? error.message : String(error);
    outcome = { ok: false, error: redactDeep(ctx.redactor, message) };
  }
  const finishedAt = ctx.clock.now();
  await ctx.ledger.complete(call.key, outcome, finishedAt);
  return { outcome, startedAt, finishedAt, replayed: false };
}

/** Tool output lands in the checkpoint and the log, so it must survive JSON. */
function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
