import { z } from "zod";

/**
 * What the agents did in a run, for the person taking over: a pure function of the run's event
 * log (as stored: `{type, agent, data}`) and its checkpoint's threads. Tool inputs and outputs
 * are kept as (bounded) JSON text: they are untrusted and only ever rendered as text.
 */
export interface RunSummary {
  steps: number;
  llmCalls: number;
  retries: number;
  validationFailures: number;
  handoffs: string[];
  tools: ToolActivity[];
  agents: AgentActivity[];
  /** Confidence each reply or review stated, in order. */
  confidence: { agent: string; value: number }[];
  inputTokens: number;
  outputTokens: number;
}

export interface ToolActivity {
  agent: string | null;
  tool: string;
  input: string;
  /** The tool's answer, the refusal or "(pending approval)". */
  output: string;
  outcome: "ok" | "error" | "refused";
  replayed: boolean;
}

export interface AgentActivity {
  agent: string;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface SummaryEvent {
  type: string;
  agent: string | null;
  data: unknown;
}

const JSON_CHARS = 600;

const llmCall = z.object({
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).optional(),
});
const toolCall = z.object({
  tool: z.string(),
  input: z.unknown(),
  output: z.union([
    z.object({ ok: z.literal(true), output: z.unknown() }),
    z.object({ ok: z.literal(false), error: z.string() }),
  ]),
  replayed: z.boolean().optional(),
});
const toolRefused = z.object({
  tool: z.string(),
  input: z.unknown(),
  reason: z.string(),
  detail: z.string().optional(),
});
const handoff = z.object({ from: z.string(), to: z.string() });
const confidenceOf = z.object({ confidence: z.number().min(0).max(1) });

export function summarizeRun(
  events: readonly SummaryEvent[],
  threads: readonly { agent: string; output?: unknown }[],
): RunSummary {
  const summary: RunSummary = {
    steps: 0,
    llmCalls: 0,
    retries: 0,
    validationFailures: 0,
    handoffs: [],
    tools: [],
    agents: [],
    confidence: [],
    inputTokens: 0,
    outputTokens: 0,
  };
  const agents = new Map<string, AgentActivity>();
  for (const event of events) addEvent(summary, agents, event);
  summary.agents = [...agents.values()];
  for (const thread of threads) {
    const stated = confidenceOf.safeParse(thread.output);
    if (stated.success)
      summary.confidence.push({ agent: thread.agent, value: stated.data.confidence });
  }
  return summary;
}

function addEvent(summary: RunSummary, agents: Map<string, AgentActivity>, event: SummaryEvent) {
  switch (event.type) {
    case "step_started":
      summary.steps += 1;
      return;
    case "retry":
      summary.retries += 1;
      return;
    case "validation_failed":
      summary.validationFailures += 1;
      return;
    case "llm_call": {
      const usage = llmCall.safeParse(event.data).data?.usage ?? {
        inputTokens: 0,
        outputTokens: 0,
      };
      summary.llmCalls += 1;
      summary.inputTokens += usage.inputTokens;
      summary.outputTokens += usage.outputTokens;
      const name = event.agent ?? "(run)";
      const activity = agents.get(name) ?? {
        agent: name,
        llmCalls: 0,
        inputTokens: 0,
        outputTokens: 0,
      };
      activity.llmCalls += 1;
      activity.inputTokens += usage.inputTokens;
      activity.outputTokens += usage.outputTokens;
      agents.set(name, activity);
      return;
    }
    case "handoff": {
      const hop = handoff.safeParse(event.data);
      if (hop.success) summary.handoffs.push(`${hop.data.from} → ${hop.data.to}`);
      return;
    }
    case "tool_call": {
      const call = toolCall.safeParse(event.data);
      if (!call.success) return;
      const { output } = call.data;
      summary.tools.push({
        agent: event.agent,
        tool: call.data.tool,
        input: boundedJson(call.data.input),
        output: output.ok ? boundedJson(output.output) : output.error,
        outcome: output.ok ? "ok" : "error",
        replayed: call.data.replayed ?? false,
      });
      return;
    }
    case "tool_refused": {
      const refused = toolRefused.safeParse(event.data);
      if (!refused.success) return;
      const { reason, detail } = refused.data;
      summary.tools.push({
        agent: event.agent,
        tool: refused.data.tool,
        input: boundedJson(refused.data.input),
        output: detail ? `${reason}: ${detail}` : reason,
        outcome: "refused",
        replayed: false,
      });
      return;
    }
  }
}

/** Pretty-enough JSON for a text cell, cut at a bound. */
export function boundedJson(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > JSON_CHARS ? `${text.slice(0, JSON_CHARS - 1)}…` : text;
}
