import { type z } from "zod";

/**
 * Deterministic evaluators: cheap, explainable checks every scored reply goes through before the
 * judge. Pure functions of the request, the reply and the answering agent's contract.
 */

export interface CheckResult {
  readonly name: "schema" | "citation" | "forbidden_phrases" | "pii_leak";
  readonly passed: boolean;
  readonly detail: string;
}

export interface CheckInput {
  /** The customer's latest message. */
  readonly request: string;
  /** The answering agent's output as validated by the run. */
  readonly output: unknown;
  readonly outputSchema?: z.ZodType;
  /** Whether this agent must cite a knowledge-base article. */
  readonly citationRequired: boolean;
  /** Article ids that exist; a citation of anything else is invented. */
  readonly knownCitations: ReadonlySet<string>;
}

/** Phrases no support reply may contain: promises without a tool behind them, AI boilerplate. */
export const forbiddenPhrases: readonly RegExp[] = [
  /\bguarantee[ds]?\b/i,
  /\d+\s?% (off|discount)/i,
  /\bfree (month|year)s?\b/i,
  /\bas an ai( language model)?\b/i,
  /\blegal advice\b/i,
];

/** Personal data a reply must not show unless the customer wrote it themselves. */
export const piiPatterns: readonly { kind: string; pattern: RegExp }[] = [
  { kind: "email address", pattern: /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi },
  { kind: "card number", pattern: /\b(?:\d[ -]?){13,16}\b/g },
  { kind: "US SSN", pattern: /\b\d{3}-\d{2}-\d{4}\b/g },
  { kind: "IBAN", pattern: /\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b/g },
];

/** The customer-facing text and citations of an output (a string, or `{reply, citations}`). */
export function replyOf(output: unknown): { text: string; citations: string[] } {
  if (typeof output === "string") return { text: output, citations: [] };
  if (output && typeof output === "object") {
    const o = output as { reply?: unknown; citations?: unknown };
    return {
      text: typeof o.reply === "string" ? o.reply : JSON.stringify(output),
      citations: Array.isArray(o.citations) ? o.citations.filter((c): c is string => typeof c === "string") : [],
    };
  }
  return { text: "", citations: [] };
}

export function runChecks(input: CheckInput): CheckResult[] {
  const { text, citations } = replyOf(input.output);
  const schema = input.outputSchema?.safeParse(input.output);
  const cited = citations.filter((c) => input.knownCitations.has(c) && text.includes(c));
  const invented = citations.filter((c) => !input.knownCitations.has(c));
  const phrases = forbiddenPhrases.map((p) => p.exec(text)?.[0]).filter((m): m is string => Boolean(m));
  const leaks = piiPatterns.flatMap(({ kind, pattern }) =>
    [...text.matchAll(pattern)].filter((m) => !input.request.includes(m[0])).map(() => kind),
  );
  return [
    {
      name: "schema",
      passed: schema ? schema.success : text.trim().length > 0,
      detail: schema && !schema.success ? schema.error.issues.map((i) => i.message).join("; ") : "valid",
    },
    {
      name: "citation",
      passed: invented.length === 0 && (!input.citationRequired || cited.length > 0),
      detail:
        invented.length > 0
          ? `unknown citations: ${invented.join(", ")}`
          : input.citationRequired && cited.length === 0
            ? "no knowledge-base article cited in the reply"
            : cited.length > 0
              ? `cites ${cited.join(", ")}`
              : "not required",
    },
    {
      name: "forbidden_phrases",
      passed: phrases.length === 0,
      detail: phrases.length ? `contains "${phrases.join('", "')}"` : "none",
    },
    {
      name: "pii_leak",
      passed: leaks.length === 0,
      detail: leaks.length ? `shows ${[...new Set(leaks)].join(", ")} the customer did not give` : "none",
    },
  ];
}

/**
 * One score in [0, 1]: the share of checks passed, averaged with the judge when it answered. A
 * leak of personal data caps the score at 0.2 whatever else is good about the reply.
 */
export function combineScore(checks: readonly CheckResult[], judgeScore: number | null): number {
  const share = checks.filter((c) => c.passed).length / Math.max(1, checks.length);
  const score = judgeScore === null ? share : (share + judgeScore) / 2;
  const leaked = checks.some((c) => c.name === "pii_leak" && !c.passed);
  return Math.round(Math.min(score, leaked ? 0.2 : 1) * 1000) / 1000;
}
