import { type AgentDefinition, type TierRange } from "../agent";
import { type StepContext } from "../context";
import { splitTranscript } from "../context-policy/transcript";
import { callModel } from "../model-call";
import { type EventRecorder } from "../recorder";
import { type RunState, type Thread } from "../state";
import { checkOutput } from "../validation";
import { clampTier, modelRouterAgent, routingDecisionSchema, type RoutingRequest, tiersIn } from "./router";

const MAX_REQUEST_CHARS = 2_000;

/**
 * Chooses the tier of a new activation of an agent with a routing range, once (before its first
 * model call), and records the decision. The tier is kept on the thread, so the checkpoint
 * carries it and a resumed run does not route again. A failed router leaves the agent on its own
 * tier (moved into the range): routing may save money, never stop a conversation.
 */
export async function routeThread(
  ctx: StepContext,
  state: RunState,
  thread: Thread,
  agent: AgentDefinition,
  rec: EventRecorder,
): Promise<void> {
  const range = agent.routing;
  if (!range || thread.tier !== undefined || thread.turns > 0) return;
  const decide = (tier: Thread["tier"] & string, reason: string, by: "router" | "single_tier" | "fallback") => {
    thread.tier = tier;
    rec.agent(agent, { type: "model_routed", threadId: thread.id, tier, reason, range: { ...range }, by });
  };
  if (range.min === range.max) return decide(range.min, "only one tier allowed", "single_tier");
  const content = JSON.stringify(routingRequest(agent, range, thread));
  // The router works for the agent: when a hard daily limit pauses the agent, it pauses too.
  const router = agent.critical === modelRouterAgent.critical ? modelRouterAgent : { ...modelRouterAgent, critical: agent.critical };
  const result = await callModel(ctx, state, thread.id, router, [{ role: "user", content }], 1, rec, { optional: true });
  const fallback = clampTier(agent.modelTier, range);
  if (result.kind !== "response") return decide(fallback, "router unavailable: the agent's own tier", "fallback");
  const check = checkOutput(modelRouterAgent, result.response);
  const parsed = check.ok ? routingDecisionSchema.safeParse(check.output) : null;
  if (!parsed?.success) return decide(fallback, "router answer invalid: the agent's own tier", "fallback");
  decide(clampTier(parsed.data.tier, range), parsed.data.reason, "router");
}

/** The newest customer message when the input is a transcript; the router judges that task. */
function routingRequest(agent: AgentDefinition, range: TierRange, thread: Thread): RoutingRequest {
  const first = thread.messages.find((m) => m.role === "user")?.content ?? "";
  const request = splitTranscript(first)?.latest ?? first;
  return { agent: agent.name, allowed: tiersIn(range), request: request.slice(0, MAX_REQUEST_CHARS) };
}
