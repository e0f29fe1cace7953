import { describe, expect, it } from "vitest";
import type { RunEvent } from "@/lib/runtime";
import {
  commitTrace,
  isStoredSpan,
  rootSpanId,
  spanAttributes,
  spanId,
  spansForCommit,
  derivedSpansOf,
  payloadOfEvent,
  storedAttributes,
  storedPayload,
} from "@/lib/tracing/spans";

const at = 1_700_000_000_000;
const ev = (seq: number, e: Record<string, unknown>) =>
  ({ runId: "run_a", seq, at: at + seq, agent: null, agentVersion: null, ...e }) as RunEvent;

const step = [
  ev(2, { type: "step_started", step: 1, threads: ["t1"] }),
  ev(3, { type: "llm_call", agent: "triage", agentVersion: 1, threadId: "t1", attempt: 1, tier: "fast", model: "simulator/fast", usage: { inputTokens: 1000, outputTokens: 500 }, latencyMs: 2, finish: "tool_calls" }),
  ev(4, { type: "handoff", agent: "triage", agentVersion: 1, threadId: "t1", from: "triage", to: "billing", toThreadId: "t2", context: "refund" }),
  ev(5, { type: "tool_refused", agent: "triage", agentVersion: 1, threadId: "t1", tool: "refund", input: {}, reason: "not_allowed" }),
];

describe("span ids", () => {
  it("stay what earlier releases derived, so a run in flight across an upgrade keeps one tree", () => {
    // sha256("<run>|<key>") in hex, first 16 characters.
    expect(rootSpanId("run_a")).toBe("2ffff8cedf4f6f64");
    expect(spanId("run_a", "step:1")).toBe("a957c4dbe7f83382");
  });
});

describe("spansForCommit", () => {
  it("hangs a step's spans under the step span, and the step under the run's root", () => {
    const { spans } = spansForCommit("run_a", step);
    const stepSpan = spans.find((s) => s.kind === "step")!;
    expect(stepSpan).toMatchObject({ spanId: spanId("run_a", "step:1"), parentSpanId: rootSpanId("run_a"), status: "error", startedAt: at + 2, endedAt: at + 5 });
    expect(spans.filter((s) => s.kind !== "step").map((s) => [s.kind, s.parentSpanId])).toEqual([
      ["llm", stepSpan.spanId],
      ["handoff", stepSpan.spanId],
      ["guardrail", stepSpan.spanId],
    ]);
  });

  it("records an LLM call with GenAI attributes, its duration, tokens and cost", () => {
    const llm = spansForCommit("run_a", step).spans.find((s) => s.kind === "llm")!;
    expect(llm).toMatchObject({ name: "chat simulator/fast", startedAt: at + 1, endedAt: at + 3, inputTokens: 1000, outputTokens: 500, agent: "triage", model: "simulator/fast" });
    // simulator/fast demo price: $0.15 in, $0.60 out per million tokens
    expect(llm.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
    expect(llm.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "switchyard.simulator",
      "gen_ai.request.model": "simulator/fast",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 500,
      "gen_ai.agent.name": "triage",
    });
  });

  it("stores only the LLM attributes its columns do not restate, and reads back the same set", () => {
    const llm = spansForCommit("run_a", step).spans.find((s) => s.kind === "llm")!;
    const stored = storedAttributes(llm);
    expect(stored).toEqual({ "switchyard.attempt": llm.attributes["switchyard.attempt"] });
    expect(spanAttributes(llm, stored)).toEqual(llm.attributes);
    // What the row holds wins over what the columns would say (rows written before the split).
    expect(spanAttributes(llm, { "gen_ai.agent.name": "older" })["gen_ai.agent.name"]).toBe("older");
    // Other kinds keep everything.
    const handoff = spansForCommit("run_a", step).spans.find((s) => s.kind === "handoff")!;
    expect(storedAttributes(handoff)).toEqual(handoff.attributes);
  });

  it("adds the step's totals for the trace list", () => {
    const { delta } = spansForCommit("run_a", step);
    expect(delta.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
    expect({ ...delta, costUsd: 0 }).toEqual({
      costUsd: 0,
      inputTokens: 1000,
      outputTokens: 500,
      llmCalls: 1,
      errors: 1,
      agents: ["triage"],
      models: ["simulator/fast"],
    });
  });

  it("derives the same ids every time, so a retried step cannot duplicate or orphan spans", () => {
    expect(spansForCommit("run_a", step).spans.map((s) => s.spanId)).toEqual(spansForCommit("run_a", step).spans.map((s) => s.spanId));
    expect(spansForCommit("run_b", step).spans[0]!.spanId).not.toBe(spansForCommit("run_a", step).spans[0]!.spanId);
  });

  it("marks a takeover with a resume span under the root", () => {
    const { spans } = spansForCommit("run_a", step, { worker: "w2", claim: 2 });
    expect(spans[0]).toMatchObject({ kind: "resume", parentSpanId: rootSpanId("run_a"), attributes: { "switchyard.worker": "w2", "switchyard.claim": 2 } });
  });

  it("shows what a cache hit answered, kept as a reference to its event", () => {
    const hit = ev(2, { type: "cache_hit", agent: "faq", agentVersion: 1, threadId: "t1", match: "exact", similarity: 1, savedUsd: 0.01, model: "simulator/fast", ageMs: 5, output: { reply: "We ship to Canada." } });
    const span = spansForCommit("run_a", [hit]).spans[0]!;
    expect(span).toMatchObject({ kind: "cache", payload: { output: { reply: "We ship to Canada." } } });
    expect(storedPayload(span)).toEqual({ $event: 2 });
    expect(payloadOfEvent("run_a", hit)).toEqual({ output: { reply: "We ship to Canada." } });
    // Recorded before cache hits kept their answer: no payload, as then.
    const { output: _output, ...older } = hit as RunEvent & { output: unknown };
    expect(spansForCommit("run_a", [older as RunEvent]).spans[0]!.payload).toBeNull();
  });

  it("leaves the cost of a model without a price as a gap, not zero", () => {
    const unknown = [ev(2, { type: "llm_call", agent: "x", agentVersion: 1, threadId: "t1", attempt: 1, tier: "fast", model: "mystery-model", usage: { inputTokens: 10, outputTokens: 10 }, latencyMs: 1, finish: "output" })];
    expect(spansForCommit("run_a", unknown).spans[0]!.costUsd).toBeNull();
  });
});

describe("spans derived on read (derivedSpansOf)", () => {
  const next = [
    ev(6, { type: "step_started", step: 2, threads: ["t2"] }),
    ev(7, { type: "llm_call", agent: "billing", agentVersion: 1, threadId: "t2", attempt: 1, tier: "fast", model: "simulator/fast", usage: { inputTokens: 10, outputTokens: 5 }, latencyMs: 1, finish: "output" }),
    ev(9, { type: "completed", output: "done" }),
  ];
  const created = [ev(1, { type: "run_started", chain: "support", input: "hi", versions: {} })];

  it("are the spans each commit derives when written, but the root, and commits without a step have no step span", () => {
    const commits = [created, step, next];
    const written = commits.flatMap((c) => spansForCommit("run_a", c).spans);
    expect(written.filter((s) => s.kind === "step")).toHaveLength(2);
    expect(derivedSpansOf("run_a", commits)).toEqual(written.filter((s) => s.kind !== "run"));
    // The second step ends with its commit's last event, the settlement, and has no error in it.
    const steps = derivedSpansOf("run_a", commits).filter((s) => s.kind === "step");
    expect(steps[1]).toMatchObject({ status: "ok", startedAt: at + 6, endedAt: at + 9 });
  });

  it("are, with the LLM spans, the only spans a commit does not store", () => {
    const { spans } = spansForCommit("run_a", [...created, ...step]);
    expect(spans.filter((s) => !isStoredSpan(s)).map((s) => s.kind)).toEqual(["step", "llm"]);
  });
});

describe("what a commit writes of its trace (commitTrace)", () => {
  const created = [ev(1, { type: "run_started", chain: "support", input: "hi", versions: {} })];
  const llm = (seq: number, e: Record<string, unknown>) =>
    ev(seq, { type: "llm_call", agent: "billing", agentVersion: 2, threadId: "t2", attempt: 1, tier: "fast", model: "simulator/fast", usage: { inputTokens: 10, outputTokens: 5 }, latencyMs: 3, finish: "output", ...e });
  const commits: Record<string, RunEvent[]> = {
    "a creation with its first step": [...created, ...step],
    "a step with a failed call, a priced call, cached tokens and an unpriced model": [
      ev(6, { type: "step_started", step: 2, threads: ["t2", "t3"] }),
      llm(7, { model: null, usage: { inputTokens: 0, outputTokens: 0 }, finish: "error", error: { kind: "rate_limited", message: "429" } }),
      llm(8, { costUsd: 0.0125, usage: { inputTokens: 900, outputTokens: 40, cachedInputTokens: 800 } }),
      llm(9, { agent: "research", model: "mystery-model" }),
      ev(10, { type: "completed", output: "done" }),
    ],
    "a settlement without a step": [ev(11, { type: "escalated", reason: "customer_request" })],
    "a step recorded with an agent": [ev(12, { type: "step_started", step: 3, threads: ["t4"], agent: "review", agentVersion: 1 })],
  };

  for (const [name, events] of Object.entries(commits))
    it(`is what spansForCommit derives, minus the spans derived on read: ${name}`, () => {
      for (const resumed of [undefined, { worker: "w2", claim: 3 }]) {
        const all = spansForCommit("run_a", events, resumed);
        const written = commitTrace("run_a", events, resumed);
        expect(written.spans).toEqual(all.spans.filter(isStoredSpan));
        expect(written.delta).toEqual(all.delta);
        const llmSpans = all.spans.filter((s) => s.kind === "llm");
        expect(written.llmCalls).toEqual(
          llmSpans.map((s) => ({
            kind: "llm",
            spanId: s.spanId,
            agent: s.agent,
            agentVersion: s.agentVersion,
            model: s.model,
            tier: s.tier,
            status: s.status,
            startedAt: s.startedAt,
            endedAt: s.endedAt,
            inputTokens: s.inputTokens,
            outputTokens: s.outputTokens,
            cachedInputTokens: s.attributes["gen_ai.usage.cache_read.input_tokens"] ?? null,
            costUsd: s.costUsd,
            error: s.error,
          })),
        );
      }
    });

  it("counts every call's tokens and cost, a failed call as an error, and an unpriced one as no cost", () => {
    const { llmCalls, delta } = commitTrace("run_a", commits["a step with a failed call, a priced call, cached tokens and an unpriced model"]!);
    expect(llmCalls.map((c) => [c.status, c.costUsd, c.cachedInputTokens])).toEqual([
      ["error", 0, null],
      ["ok", 0.0125, 800],
      ["ok", null, null],
    ]);
    expect(delta).toMatchObject({ llmCalls: 3, errors: 1, inputTokens: 910, outputTokens: 45, costUsd: 0.0125, agents: ["billing", "research"] });
  });
});
