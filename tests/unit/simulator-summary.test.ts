import { describe, expect, it } from "vitest";
import { summarizeConversation } from "@/lib/agents/simulation/summary-answers";
import { summaryRequest, summarySchema } from "@/lib/runtime/context-policy/summarizer";

describe("the simulator's context summariser", () => {
  it("stays bounded over a long conversation, keeping the most recently mentioned references", () => {
    let summary: string | null = null;
    for (let i = 1; i <= 300; i++) {
      const turns = `Customer: where is order ORD-${1000 + i}? also ORD-1001\nAgent (billing): it ships tomorrow`;
      summary = summarizeConversation(summaryRequest(summary, turns)).summary;
      // What the summariser's schema accepts: a longer one would fail validation on every step.
      expect(summarySchema.safeParse({ summary }).success).toBe(true);
    }
    const references = summary!.split("\n")[0]!;
    expect(references).toContain("ORD-1300");
    // Mentioned in every turn, so never the oldest.
    expect(references).toContain("ORD-1001");
    expect(references).not.toContain("ORD-1002");
    expect(references.split(", ")).toHaveLength(12);
  });

  it("keeps the references and the newest notes of a short conversation", () => {
    const first = summarizeConversation(summaryRequest(null, "Customer: refund ORD-1234 please\nAgent (billing): done, rf_abc1")).summary;
    expect(first).toBe("References: ORD-1234, rf_abc1\n- Customer: refund ORD-1234 please\n- billing: done, rf_abc1");
  });
});
