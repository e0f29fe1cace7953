import { describe, expect, it } from "vitest";
import { normaliseRequest, requestHash } from "@/lib/cache/key";
import { cosine } from "@/lib/providers/embedding";
import { bagOfWords, simulatorEmbedder } from "@/lib/providers/simulator/embedding";

const sim = (a: string, b: string) => cosine(bagOfWords(a), bagOfWords(b));

describe("exact cache key", () => {
  it("folds case and whitespace, nothing else", () => {
    expect(normaliseRequest("  Do you\tSHIP\n to Canada? ")).toBe("do you ship to canada?");
    expect(requestHash("Do you ship to Canada?")).toBe(requestHash("do  you ship to CANADA?"));
    expect(requestHash("Do you ship to Canada?")).not.toBe(requestHash("Do you ship to Canada"));
  });
});

describe("the simulator's bag-of-words embedding", () => {
  it("is a labelled, deterministic unit vector", () => {
    expect(simulatorEmbedder.model).toMatch(/^simulator\//);
    const v = bagOfWords("How do I add a teammate?");
    expect(v).toHaveLength(256);
    expect(cosine(v, v)).toBeCloseTo(1, 10);
    expect(bagOfWords("How do I add a teammate?")).toEqual(v);
  });

  it("puts rewordings of a question above the demo threshold (0.8) and other questions below", () => {
    expect(sim("Do you ship to Canada?", "Do you guys ship to Canada?")).toBeGreaterThan(0.8);
    expect(sim("What are your support hours over the holidays?", "What are your support hours during the holidays?")).toBeGreaterThan(0.8);
    expect(sim("Do you ship to Canada?", "Do you ship to Mexico?")).toBeLessThan(0.8);
    expect(sim("Can I change the email address on my account?", "Can I change the password on my account?")).toBeLessThan(0.8);
  });

  it("folds common inflections", () => {
    expect(sim("shipping invoices", "ships invoice")).toBeCloseTo(1, 10);
  });
});
