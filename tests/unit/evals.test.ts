import { describe, expect, it } from "vitest";
import { replySchema } from "@/lib/agents/support-team";
import { judgeAnswer } from "@/lib/agents/simulation/judge-answers";
import { combineScore, runChecks } from "@/lib/evals/checks";
import { SampleQuota } from "@/lib/evals/sample";
import { inSample } from "@/lib/runtime/rollout";

const check = (output: unknown, over: { request?: string; citationRequired?: boolean } = {}) =>
  Object.fromEntries(
    runChecks({
      request: over.request ?? "How do I reset my password?",
      output,
      outputSchema: replySchema,
      citationRequired: over.citationRequired ?? false,
      knownCitations: new Set(["kb-101"]),
    }).map((c) => [c.name, c.passed]),
  );

describe("deterministic evaluators", () => {
  it("passes a valid, cited, clean reply", () => {
    const reply = { reply: "Use 'Forgot password' (see kb-101).", confidence: 0.9, citations: ["kb-101"] };
    expect(check(reply, { citationRequired: true })).toEqual({ schema: true, citation: true, forbidden_phrases: true, pii_leak: true });
  });

  it.each([
    ["schema", { reply: "", confidence: 2 }],
    ["citation", { reply: "Reset it in settings.", confidence: 0.9, citations: [] }],
    ["citation", { reply: "See kb-999.", confidence: 0.9, citations: ["kb-999"] }],
    ["forbidden_phrases", { reply: "I guarantee a 20% discount next month.", confidence: 0.9, citations: [] }],
    ["pii_leak", { reply: "I emailed jane.doe@example.com the link.", confidence: 0.9, citations: [] }],
    ["pii_leak", { reply: "Your card 4111 1111 1111 1111 is on file.", confidence: 0.9, citations: [] }],
  ])("fails %s on %o", (name, output) => {
    expect(check(output, { citationRequired: true })[name]).toBe(false);
  });

  it("does not call the customer's own email a leak", () => {
    const request = "Please change my email to sam@example.org";
    expect(check({ reply: "Done: sam@example.org is your new address.", confidence: 0.9, citations: [] }, { request }).pii_leak).toBe(true);
  });

  it("averages the checks with the judge and caps a PII leak", () => {
    const clean = runChecks({ request: "x", output: "fine reply", citationRequired: false, knownCitations: new Set() });
    expect(combineScore(clean, 0.5)).toBe(0.75);
    expect(combineScore(clean, null)).toBe(1);
    const leak = runChecks({ request: "x", output: "mail bob@corp.io", citationRequired: false, knownCitations: new Set() });
    expect(combineScore(leak, 1)).toBe(0.2);
  });
});

describe("the simulated judge", () => {
  it("labels itself and separates an answer from a deflection", () => {
    const request = "Do you ship to Canada?";
    const good = judgeAnswer(JSON.stringify({ request, agent: "general", reply: { reply: "Yes, we ship to Canada within 5 working days." } }));
    const bad = judgeAnswer(JSON.stringify({ request, agent: "general", reply: { reply: "Please check the help center." } }));
    expect(good.rationale).toMatch(/^Simulated judge \(rule-based, not a model\)/);
    expect(good.score).toBeGreaterThan(0.9);
    expect(bad.score).toBeLessThan(0.3);
    expect(bad.rationale).toMatch(/deflects/);
  });
});

describe("eval sampling", () => {
  // Fixed ids: the hash decides, so the figures below are the same on every run.
  const ids = Array.from({ length: 2_000 }, (_, i) => `cnv_${i.toString(36).padStart(8, "0")}`);
  const batches = (sizes: number[]) => {
    const out: string[][] = [];
    for (let at = 0, i = 0; at < ids.length; i++) {
      const size = sizes[i % sizes.length]!;
      out.push(ids.slice(at, at + size));
      at += size;
    }
    return out;
  };

  it.each([0.05, 0.1, 0.5])("keeps the running total at %s of what it saw, including every id hashed into the share", (share) => {
    for (const sizes of [[1], [3, 1, 7], [137]]) {
      const quota = new SampleQuota(share);
      let seen = 0;
      let picked = 0;
      for (const batch of batches(sizes)) {
        const chosen = quota.take(batch);
        for (const id of batch) if (inSample(id, "eval", share)) expect(chosen.has(id)).toBe(true);
        seen += batch.length;
        picked += chosen.size;
        expect(picked).toBeGreaterThanOrEqual(Math.floor(share * seen));
      }
      // Tiny batches must not round each one up to a pick: the total stays near the share.
      expect(picked / seen).toBeLessThan(share * 1.25);
    }
  });
});
