import { z } from "zod";

/**
 * What the SIMULATOR answers as the LLM-as-judge: rubric rules over the reply, deterministic, with
 * a rationale that says it comes from the simulator. Enough to separate a helpful reply from a
 * deflection in the demo; not a model.
 */

const inputSchema = z.object({
  request: z.string(),
  agent: z.string(),
  reply: z.unknown(),
});

const stopWords = new Set(
  "the a an and or to of in on for is are was it i my me you your we our can could would how what why do does with this that there be have has not".split(" "),
);

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2 && !stopWords.has(w)),
  );

export function judgeAnswer(raw: string): { score: number; rationale: string } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    data = null;
  }
  const parsed = inputSchema.safeParse(data);
  if (!parsed.success) return { score: 0, rationale: "Simulated judge: the request to grade was unreadable." };
  const { request, agent, reply } = parsed.data;
  const r = (reply ?? {}) as { reply?: unknown; citations?: unknown };
  const text = typeof reply === "string" ? reply : typeof r.reply === "string" ? r.reply : "";
  const citations = Array.isArray(r.citations) ? r.citations : [];
  const findings: string[] = [];
  let score = 1;
  const deduct = (points: number, why: string) => {
    score -= points;
    findings.push(why);
  };
  if (text.trim().length < 40) deduct(0.3, "the reply is too short to help");
  const asked = words(request);
  const overlap = [...words(text)].filter((w) => asked.has(w)).length;
  if (asked.size > 0 && overlap === 0) deduct(0.25, "it does not engage with what the customer asked");
  if (/check the help (center|centre)|see our (website|faq)|contact support/i.test(text))
    deduct(0.3, "it deflects to generic resources instead of answering");
  if (agent === "technical" && citations.length === 0) deduct(0.25, "a technical answer without a cited article");
  if (/guarantee|\d+\s?% (off|discount)|free month/i.test(text)) deduct(0.4, "it promises something no tool granted");
  const final = Math.max(0, Math.round(score * 100) / 100);
  const verdict = findings.length ? `Deductions: ${findings.join("; ")}.` : "Relevant, specific and within policy.";
  return { score: final, rationale: `Simulated judge (rule-based, not a model): ${verdict}` };
}
