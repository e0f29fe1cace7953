import { z } from "zod";
import {
  defineAgent,
  defineTool,
  type FallbackLadder,
  lastTurns,
  reviewVerdictSchema,
  type RunState,
  supervisor,
  type ToolDefinition,
} from "@/lib/runtime";
import { searchArticles } from "./knowledge-base";
import { LATEST_MESSAGE_MARKER } from "./transcript";

/** How the general agent reuses answers: first messages only, for a day, rewordings from 0.8. */
export const GENERAL_CACHE = {
  ttlMs: 24 * 3_600_000,
  minSimilarity: 0.8,
  // A follow-up's answer depends on the conversation before it: never reused.
  key: (request: string) => (request.includes(LATEST_MESSAGE_MARKER) ? null : request),
};

/**
 * Context economy (lib/runtime/context-policy): after a few turns every agent gets a rolling
 * summary of the conversation plus its last messages verbatim: the router, the general agent and
 * the reviewer the previous message (they work on the newest one), the specialists the last
 * exchange. docs/benchmarks.md (`npm run bench -- --only context`) has what this saves.
 */
export const SUPPORT_CONTEXT = { brief: lastTurns(1), exchange: lastTurns(2) } as const;

/**
 * The specialists' model tier is chosen per conversation turn by the model router
 * (lib/runtime/routing): easy questions on the fast tier, hard ones on the strong tier.
 */
export const SPECIALIST_ROUTING = { min: "fast", max: "strong" } as const;

/** Refunds above this many dollars wait for a support lead's approval. */
export const REFUND_APPROVAL_THRESHOLD = 100;

/** Replies below this confidence (the agent's or the reviewer's) go to a person. */
export const MIN_REPLY_CONFIDENCE = 0.5;

export const replySchema = z.object({
  reply: z.string().min(1).max(4000),
  confidence: z.number().min(0).max(1),
  citations: z.array(z.string()).default([]),
  /** Set, with the reason, when the customer should be handed to a person. */
  handover: z.string().min(1).max(500).optional(),
});

/**
 * A support reply is a short JSON object. Capping its length also caps what budgets reserve for a
 * call before it is made (the full allowance at the output price): with the provider default of
 * 4,096 tokens, a dozen concurrent calls routed to the strong tier reserved the whole $2 demo day.
 */
const SPECIALIST_LIMITS = { maxOutputTokens: 1_024 };

const triage = defineAgent({
  name: "triage",
  version: 1,
  modelTier: "fast",
  instructions:
    "You route customer conversations. Hand billing and refund questions to billing, product problems to technical, and everything else, including a request to talk to a person, to general. Never answer yourself.",
  handoffs: ["billing", "technical", "general"],
  limits: { maxTurns: 3 },
  context: SUPPORT_CONTEXT.brief,
  // Intake, the general answer and the reply check keep running past a hard daily spend limit;
  // the specialists pause and their conversations go to a person.
  critical: true,
});

const billing = defineAgent({
  name: "billing",
  version: 1,
  modelTier: "standard",
  instructions:
    "You handle billing questions. Use lookup_order before discussing an order. Issue refunds only with the refund tool; refunds above the approval threshold wait for a person.",
  tools: ["lookup_order", "refund"],
  handoffs: ["general"],
  outputSchema: replySchema,
  context: SUPPORT_CONTEXT.exchange,
  routing: SPECIALIST_ROUTING,
  limits: SPECIALIST_LIMITS,
});

const technical = defineAgent({
  name: "technical",
  version: 1,
  modelTier: "standard",
  instructions:
    "You solve product problems. Search the knowledge base first and cite the article id you used.",
  tools: ["kb_search"],
  handoffs: ["general"],
  outputSchema: replySchema,
  context: SUPPORT_CONTEXT.exchange,
  routing: SPECIALIST_ROUTING,
  limits: SPECIALIST_LIMITS,
});

const general = defineAgent({
  name: "general",
  version: 1,
  modelTier: "fast",
  instructions:
    "You answer general questions politely and briefly. Never promise discounts, credits or exceptions. When the customer asks for a person, say you are connecting them and set `handover` to the reason.",
  outputSchema: replySchema,
  critical: true,
  context: SUPPORT_CONTEXT.brief,
  // FAQ-like answers (shipping, hours, discounts): the same or a reworded first question within a
  // day gets the stored answer, still checked by the reviewer. No tools, so nothing it did is skipped.
  cache: GENERAL_CACHE,
});

const reviewer = defineAgent({
  name: "reviewer",
  version: 1,
  modelTier: "fast",
  instructions:
    "You check a support reply before the customer sees it. Reject it (with issues) when it is empty, does not address the request, promises what no tool did (discounts, credits, refunds without a reference), or, for technical replies, cites no knowledge-base article. Give your confidence in the verdict.",
  outputSchema: reviewVerdictSchema,
  limits: { maxTurns: 1 },
  critical: true,
  context: SUPPORT_CONTEXT.brief,
});

/**
 * A canned answer for when no agent can be reached: the help-center article that matches the
 * customer's words, in fixed wording (trusted text; nothing the customer wrote is echoed). With no
 * matching article it declines, and the conversation goes to a person.
 */
export function helpCenterTemplate(state: Readonly<RunState>): z.infer<typeof replySchema> | undefined {
  const article = searchArticles(state.input);
  if (!article) return undefined;
  return {
    reply: `Our assistant can't look into this right now, but this help-center article should help — ${article.title}: ${article.body} (${article.id}). If it doesn't, reply here and a member of our support team will follow up.`,
    confidence: 1,
    citations: [article.id],
  };
}

/**
 * When a specialist's model call cannot be made (its breaker is open, its retries ran out), the
 * general agent answers; when that fails too, the help-center template; then a person. The
 * reviewer's input is a review request no other agent could answer, so it skips to the template.
 */
export const supportFallback: FallbackLadder = {
  rungs: [
    { kind: "agent", agent: "general" },
    { kind: "template", answer: helpCenterTemplate },
    { kind: "human" },
  ],
  skipAgentRungs: ["reviewer"],
};

/** Triage → billing / technical / general; every reply is gated by the reviewer. */
export const supportChain = supervisor({
  name: "support",
  router: triage,
  specialists: [billing, technical, general],
  reviewer: { agent: reviewer, minConfidence: MIN_REPLY_CONFIDENCE, maxRevisions: 1 },
  limits: { maxSteps: 16, maxHandoffs: 4, budgetMs: 120_000 },
  fallback: supportFallback,
});

const orderIdSchema = z.string().regex(/^[A-Z0-9-]{3,32}$/);

export const supportTools: ToolDefinition[] = [
  defineTool({
    name: "lookup_order",
    description: "Look up an order by id.",
    argsSchema: z.object({ orderId: orderIdSchema }),
    sideEffect: "read",
    execute: ({ orderId }) =>
      Promise.resolve({ orderId, status: "delivered", total: 129, currency: "USD" }),
  }),
  defineTool({
    name: "refund",
    description: "Refund an amount (USD) on an order.",
    argsSchema: z.object({ orderId: orderIdSchema, amount: z.number().positive().max(10_000) }),
    sideEffect: "high_impact",
    requiresApproval: ({ amount }) => amount > REFUND_APPROVAL_THRESHOLD,
    // The demo's payment system is simulated; a real one receives the idempotency key so it can
    // drop a repeated request (see ToolContext.idempotencyKey).
    execute: ({ orderId, amount }, ctx) =>
      Promise.resolve({
        refundId: `rf_${ctx.idempotencyKey.replace(/[^a-z0-9]/gi, "").slice(-12)}`,
        orderId,
        amount,
        status: "issued",
      }),
  }),
  defineTool({
    name: "kb_search",
    description: "Search the help-center knowledge base.",
    argsSchema: z.object({ query: z.string().min(1).max(500) }),
    sideEffect: "read",
    // The result echoes the query, as search APIs do: untrusted text coming back as tool output,
    // the path the rendering and prompt-injection drills (issue 10) attack.
    execute: ({ query }) => {
      const article = searchArticles(query);
      return Promise.resolve(
        article
          ? { query, id: article.id, title: article.title, body: article.body }
          : { query, id: null },
      );
    },
  }),
];
