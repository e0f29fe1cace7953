import {
  classifyContract,
  extractFromContext,
  summarizeFromContext,
  validateFromContext,
} from "@/lib/agents/simulation/contract-answers";
import {
  answerFromTool,
  billingAnswer,
  generalAnswer,
  revisedAnswer,
  reviewReply,
  route,
} from "@/lib/agents/simulation/support-answers";
import { judgeAnswer } from "@/lib/agents/simulation/judge-answers";
import { routeByComplexity } from "@/lib/agents/simulation/routing-answers";
import { summarizeConversation } from "@/lib/agents/simulation/summary-answers";
import {
  demandSignal,
  marginSignal,
  pricingToolArgs,
  readPricingRequest,
  recommendPrice,
  referenceSignal,
} from "@/lib/agents/simulation/pricing-answers";
import { degradedReply, isDegraded } from "@/lib/agents/simulation/quality";
import { latestMessageOf } from "@/lib/agents/transcript";
import {
  handoffToolName,
  type Message,
  type ModelRequest,
  revisionFeedbackMarker,
  type ToolCall,
} from "@/lib/runtime";

export type Decision = { toolCalls: ToolCall[] } | { output: unknown };

/** Agents whose answer is a pure function of their single input message. */
const byAgent: Record<string, (input: string) => unknown> = {
  reviewer: reviewReply,
  classifier: (input) => classifyContract(latestMessageOf(input)),
  extractor: extractFromContext,
  validator: validateFromContext,
  synthesizer: summarizeFromContext,
  // The evaluator's LLM-as-judge (lib/evals/judge.ts).
  judge: judgeAnswer,
  // The context summariser behind lastTurns(n) (lib/runtime/context-policy).
  summarizer: summarizeConversation,
  // The model router (lib/runtime/routing).
  "model-router": routeByComplexity,
  // The pricing team (lib/agents/pricing-team.ts).
  "pricing-lead": (input) => readPricingRequest(latestMessageOf(input)),
  demand: demandSignal,
  margin: marginSignal,
  recommender: recommendPrice,
};

/** Pricing agents that read one tool before answering: the market, or history in its place. */
const referenceTools: Record<string, string> = {
  market: "competitor_prices",
  "price-history": "price_history",
};

/**
 * What the simulated model answers for one request: a tool call or an output, chosen by keyword
 * rules per agent so that the demo teams produce schema-valid, sensible work. Deterministic: the
 * same request always gets the same answer (`digest` only names tool calls).
 */
export function decide(request: ModelRequest, digest: number): Decision {
  const decision = decideNormally(request, digest);
  // A canary version told to be worse (lib/agents/simulation/quality.ts) deflects instead.
  if ("output" in decision && isDegraded(request.agent.instructions)) return { output: degradedReply(decision.output) };
  return decision;
}

function decideNormally(request: ModelRequest, digest: number): Decision {
  const raw = lastUserText(request.messages);
  const scripted = byAgent[request.agent.name];
  if (scripted) return { output: scripted(raw) };

  const [request_, feedback] = splitRevision(raw);
  const text = latestMessageOf(request_);
  const toolResult = lastToolResult(request.messages);
  const can = (tool: string) => request.tools.some((t) => t.name === tool);
  const callId = `call_${digest.toString(36)}`;
  const call = (name: string, args: unknown): Decision => ({
    toolCalls: [{ id: callId, name, args }],
  });
  const agent = request.agent.name;

  const referenceTool = referenceTools[agent];
  if (referenceTool) {
    return toolResult ? { output: referenceSignal(raw, toolResult) } : call(referenceTool, pricingToolArgs(raw));
  }
  if (request.agent.handoffs.length > 0 && !request.agent.outputSchema) {
    return call(handoffToolName(route(text, request.agent.handoffs)), { context: text });
  }
  // A revision never repeats a tool call: the first attempt's effects already happened.
  if (feedback !== null) return { output: revisedAnswer(agent, request_, feedback) };
  if (toolResult) return { output: answerFromTool(agent, text, toolResult) };
  if (can("kb_search")) return call("kb_search", { query: text });
  const orderId = orderIdIn(text);
  const amount = amountIn(text);
  if (can("refund") && /refund|money back/i.test(text) && orderId && amount !== null) {
    return call("refund", { orderId, amount });
  }
  if (can("lookup_order") && orderId) return call("lookup_order", { orderId });
  return { output: agent === "billing" ? billingAnswer(text) : generalAnswer(text) };
}

/** [request, reviewer feedback or null] of a specialist's input. */
function splitRevision(text: string): [string, string | null] {
  const at = text.lastIndexOf(revisionFeedbackMarker);
  if (at === -1) return [text, null];
  return [text.slice(0, at).trimEnd(), text.slice(at + revisionFeedbackMarker.length)];
}

function lastUserText(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "user") return m.content;
  }
  return "";
}

function lastToolResult(messages: readonly Message[]): Record<string, unknown> | null {
  const last = messages.at(-1);
  if (!last || last.role !== "tool") return null;
  // The runtime reports a tool outcome as JSON: {ok: true, output} or {ok: false, error}.
  try {
    const outcome = JSON.parse(last.content) as { ok?: boolean; output?: unknown; error?: string };
    if (outcome.ok && outcome.output && typeof outcome.output === "object") {
      return outcome.output as Record<string, unknown>;
    }
    return { error: String(outcome.error ?? "no result") };
  } catch {
    return { error: "unreadable tool result" };
  }
}

const orderIdIn = (text: string) => /\b([A-Z]{2,5}-\d{3,10})\b/.exec(text)?.[1] ?? null;

function amountIn(text: string): number | null {
  const m = /\$\s?(\d+(?:\.\d{1,2})?)/.exec(text);
  return m ? Number(m[1]) : null;
}
