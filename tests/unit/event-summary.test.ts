import { describe, expect, it } from "vitest";
import { summarizeEvent } from "@/lib/events/summarize";

describe("summarizeEvent", () => {
  it("describes each event type and survives unexpected data", () => {
    expect(summarizeEvent("tool_call", { tool: "refund", input: { orderId: "o1" }, output: { ok: false, error: "declined" } })).toBe(
      'tool_call refund {"orderId":"o1"} → error: declined',
    );
    expect(summarizeEvent("retry", { reason: "provider_error", attempt: 2, delayMs: 1200 })).toBe(
      "retry provider_error · attempt 2 · after 1200 ms",
    );
    expect(summarizeEvent("failed", { error: { category: "provider", message: "boom" } })).toBe("failed · provider: boom");
    expect(summarizeEvent("completed", { output: "Done", partial: true, bound: "max_steps" })).toBe(
      "completed partially (max_steps) · Done",
    );
    expect(summarizeEvent("llm_call", null)).toBe("llm_call ?");
    expect(summarizeEvent("published", { group: "analysts", topic: "signal", hop: true, hops: 2, delivered: ["t4"] })).toBe(
      "published signal in analysts · delivered to 1 peer · hop 2",
    );
    expect(summarizeEvent("context_write", { key: "marketPrice", accepted: false, reason: "demand is not a designated writer of marketPrice" })).toBe(
      "context marketPrice write rejected · demand is not a designated writer of marketPrice",
    );
    expect(
      summarizeEvent("conflict_resolved", {
        rule: "majority",
        answers: [{ agent: "market", vote: "raise" }, { agent: "demand", vote: "raise" }, { agent: "margin", vote: "hold" }],
        chosen: { agent: "market", vote: "raise" },
      }),
    ).toBe("majority over market: raise, demand: raise, margin: hold · chose raise (market)");
    expect(summarizeEvent("something_new", { x: 1 })).toBe("something_new");
  });
});
