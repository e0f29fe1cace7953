import { describe, expect, it } from "vitest";
import { reasonPolicy } from "@/lib/escalations/policy";
import { summarizeRun } from "@/lib/escalations/summary";
import { escalationReasons } from "@/lib/runtime";

const usage = (i: number, o: number) => ({ usage: { inputTokens: i, outputTokens: o } });

describe("summarizeRun", () => {
  it("counts steps, calls, retries and tokens per agent and lists tools and handoffs", () => {
    const summary = summarizeRun(
      [
        { type: "run_started", agent: null, data: {} },
        { type: "step_started", agent: null, data: {} },
        { type: "llm_call", agent: "triage", data: usage(100, 10) },
        { type: "handoff", agent: "triage", data: { from: "triage", to: "billing" } },
        { type: "step_started", agent: null, data: {} },
        { type: "retry", agent: "billing", data: { reason: "provider_error" } },
        { type: "llm_call", agent: "billing", data: usage(200, 20) },
        { type: "llm_call", agent: "billing", data: usage(300, 30) },
        {
          type: "tool_call",
          agent: "billing",
          data: {
            tool: "lookup_order",
            input: { orderId: "A-1" },
            output: { ok: true, output: { total: 9 } },
            replayed: true,
          },
        },
        {
          type: "tool_refused",
          agent: "billing",
          data: { tool: "refund", input: { amount: 5 }, reason: "rejected_by_human", detail: "no" },
        },
        { type: "validation_failed", agent: "billing", data: {} },
      ],
      [
        { agent: "triage" },
        { agent: "billing", output: { reply: "x", confidence: 0.42 } },
        { agent: "reviewer", output: { approved: false, confidence: 0.9, issues: [] } },
      ],
    );
    expect(summary).toMatchObject({
      steps: 2,
      llmCalls: 3,
      retries: 1,
      validationFailures: 1,
      handoffs: ["triage → billing"],
      inputTokens: 600,
      outputTokens: 60,
    });
    expect(summary.agents).toEqual([
      { agent: "triage", llmCalls: 1, inputTokens: 100, outputTokens: 10 },
      { agent: "billing", llmCalls: 2, inputTokens: 500, outputTokens: 50 },
    ]);
    expect(summary.tools).toEqual([
      {
        agent: "billing",
        tool: "lookup_order",
        input: '{"orderId":"A-1"}',
        output: '{"total":9}',
        outcome: "ok",
        replayed: true,
      },
      {
        agent: "billing",
        tool: "refund",
        input: '{"amount":5}',
        output: "rejected_by_human: no",
        outcome: "refused",
        replayed: false,
      },
    ]);
    expect(summary.confidence).toEqual([
      { agent: "billing", value: 0.42 },
      { agent: "reviewer", value: 0.9 },
    ]);
  });

  it("skips events whose data does not have the expected shape", () => {
    const summary = summarizeRun([{ type: "tool_call", agent: "x", data: { tool: 3 } }], []);
    expect(summary.tools).toEqual([]);
  });
});

describe("reason policy", () => {
  it("knows every runtime escalation reason, with a priority and an SLA", () => {
    for (const reason of escalationReasons) {
      const policy = reasonPolicy(reason);
      expect([reason, policy.label === reason]).toEqual([reason, false]);
      expect(policy.slaMinutes).toBeGreaterThan(0);
    }
    expect(reasonPolicy("customer_request")).toMatchObject({ priority: 1, slaMinutes: 15 });
    expect(reasonPolicy("something_new")).toMatchObject({ priority: 2, label: "something_new" });
  });
});
