import { z } from "zod";
import { type reviewVerdictSchema } from "@/lib/runtime";
import { articles } from "../knowledge-base";
import { latestMessageOf } from "../transcript";

/**
 * What the SIMULATOR answers for the support team's agents: keyword rules, deterministic and
 * valid against each agent's schema. They make the demo sensible, not smart.
 */

export type Reply = { reply: string; confidence: number; citations: string[]; handover?: string };
type Verdict = z.infer<typeof reviewVerdictSchema>;

const asksForPerson =
  /\b(talk|speak|chat|connect me)\b[^.?!]*\b(human|person|agent|someone|representative|manager)\b|\breal (person|human)\b|\bhuman agent\b/i;

/** Triage: a person first, then billing, then product problems, then everything else. */
export function route(text: string, targets: readonly string[]): string {
  const pick = (name: string) => (targets.includes(name) ? name : undefined);
  const fallback = targets[0] ?? "general";
  if (asksForPerson.test(text)) return pick("general") ?? fallback;
  if (/refund|charge|invoice|bill|payment|price|money|order\b|subscription|ORD-/i.test(text))
    return pick("billing") ?? fallback;
  if (
    /error|crash|login|log in|password|bug|install|sync|\bapi\b|\bapp\b|429|broken|not working/i.test(
      text,
    )
  )
    return pick("technical") ?? fallback;
  return pick("general") ?? fallback;
}

export function generalAnswer(text: string): Reply {
  if (asksForPerson.test(text)) {
    return {
      reply:
        "Of course. I'm passing this conversation to a member of our support team, who will reply here.",
      confidence: 0.95,
      citations: [],
      handover: "customer asked to talk to a person",
    };
  }
  if (/discount|coupon|cheaper|promo/i.test(text)) {
    // A first draft that over-promises, so the demo shows the reviewer sending it back.
    return {
      reply: "Good news: I can offer you a 20% discount on your next renewal.",
      confidence: 0.75,
      citations: [],
    };
  }
  if (/hours|open|available|weekend|holiday/i.test(text)) {
    return {
      reply:
        "Our support team is available Monday to Friday, 8:00–18:00 CET. You can write here at any time and we answer as soon as we are back.",
      confidence: 0.9,
      citations: [],
    };
  }
  // Never echoes the customer's words: the general agent's answers may be served from the
  // response cache to another customer of the same tenant.
  return {
    reply:
      "Thanks for reaching out. I can help with accounts, billing, orders and technical questions: could you tell me a little more about what you need?",
    confidence: 0.7,
    citations: [],
  };
}

/** Billing without a tool result: an answer about invoices, or a question for what it needs. */
export function billingAnswer(text: string): Reply {
  if (/refund|money back/i.test(text)) {
    return {
      reply:
        "I can help with a refund. Please send the order number (like ORD-1234) and the amount you were charged.",
      confidence: 0.8,
      citations: [],
    };
  }
  if (/invoice|charge|bill/i.test(text)) {
    return {
      reply:
        "Invoices are issued on the first of each month and you can download every one of them under Settings → Billing. If a charge looks wrong, send me the order number and I'll check it.",
      confidence: 0.82,
      citations: [],
    };
  }
  return {
    reply:
      "Our plans are billed monthly or yearly; the current prices are on the pricing page, and yearly billing saves two months.",
    confidence: 0.78,
    citations: [],
  };
}

/** A specialist's answer built from the tool result it just received. */
export function answerFromTool(
  agent: string,
  text: string,
  result: Record<string, unknown>,
): Reply {
  if (typeof result.id === "string") {
    return {
      reply: `${String(result.title)}: ${String(result.body)} (see ${result.id})`,
      confidence: 0.86,
      citations: [result.id],
    };
  }
  if ("id" in result && result.id === null) {
    return {
      reply: "I couldn't find a help article for this problem, so I'm not sure what is causing it.",
      confidence: 0.35,
      citations: [],
    };
  }
  if (typeof result.refundId === "string") {
    return {
      reply: `Your refund of $${String(result.amount)} on order ${String(result.orderId)} has been issued (reference ${result.refundId}).`,
      confidence: 0.9,
      citations: [],
    };
  }
  if (typeof result.orderId === "string" && typeof result.status === "string") {
    return {
      reply: `Order ${result.orderId} is ${result.status}; its total was $${String(result.total)} ${typeof result.currency === "string" ? result.currency : "USD"}.`,
      confidence: 0.88,
      citations: [],
    };
  }
  if ("error" in result) {
    return {
      reply: "I couldn't complete that request, so I've noted it for our team.",
      confidence: 0.4,
      citations: [],
    };
  }
  return agent === "billing" ? billingAnswer(text) : generalAnswer(text);
}

/** A revision after the reviewer's issues: never repeats a tool call, drops what was flagged. */
export function revisedAnswer(agent: string, request: string, feedback: string): Reply {
  const parsed = z
    .object({
      previousReply: z.object({
        reply: z.string(),
        confidence: z.number(),
        citations: z.array(z.string()).optional(),
      }),
    })
    .safeParse(safeJson(feedback));
  const previous = parsed.success ? parsed.data.previousReply : undefined;
  if (agent === "general" && /discount|coupon|cheaper|promo/i.test(latestMessageOf(request))) {
    return {
      reply:
        "I can't grant discounts myself. Yearly billing saves two months, and our sales team can discuss larger plans; just ask here and I'll pass it on.",
      confidence: 0.8,
      citations: [],
    };
  }
  if (previous)
    return {
      reply: previous.reply,
      confidence: previous.confidence,
      citations: previous.citations ?? [],
    };
  return generalAnswer(latestMessageOf(request));
}

const reviewInputSchema = z.object({ request: z.string(), agent: z.string(), reply: z.unknown() });
const replyShape = z.object({
  reply: z.string(),
  confidence: z.number().optional(),
  citations: z.array(z.string()).optional(),
  handover: z.string().optional(),
});
const knownArticles = new Set(articles.map((a) => a.id));

/** The reviewer's verdict on one reply. */
export function reviewReply(input: string): Verdict {
  const parsed = reviewInputSchema.safeParse(safeJson(input));
  if (!parsed.success) return reject(0.9, "the review request is unreadable");
  const { agent, reply: raw } = parsed.data;
  const reply = replyShape.safeParse(typeof raw === "string" ? { reply: raw } : raw);
  if (!reply.success || !reply.data.reply.trim()) return reject(0.95, "the reply is empty");
  const { reply: text, confidence = 1, citations = [], handover } = reply.data;
  if (handover) return approve(0.95);
  if (/\d+\s?% discount|discount of|free month|credit of \$/i.test(text))
    return reject(0.9, "promises a discount or credit that no tool granted");
  if (/refund[^.]*issued/i.test(text) && !/reference rf_/i.test(text))
    return reject(0.85, "claims a refund without a refund reference");
  if (agent === "technical" && citations.length === 0 && confidence >= 0.5)
    return reject(0.85, "a technical reply must cite the knowledge-base article it relies on");
  const unknown = citations.filter((id) => !knownArticles.has(id) || !text.includes(id));
  if (unknown.length > 0)
    return reject(0.85, `citations not shown in the reply or unknown: ${unknown.join(", ")}`);
  return approve(text.length < 40 ? 0.7 : 0.9);
}

const approve = (confidence: number): Verdict => ({ approved: true, confidence, issues: [] });
const reject = (confidence: number, issue: string): Verdict => ({
  approved: false,
  confidence,
  issues: [issue],
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
