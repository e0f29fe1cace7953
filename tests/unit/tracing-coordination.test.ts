import { describe, expect, it } from "vitest";
import { isRejectedSpan, summarizeCoordination } from "@/app/(console)/traces/_components/coordination";
import type { RunEvent, Thread } from "@/lib/runtime";
import { spansForCommit } from "@/lib/tracing/spans";

const at = 1_700_000_000_000;
const ev = (seq: number, e: Record<string, unknown>) =>
  ({ runId: "run_h", seq, at: at + seq, agent: null, agentVersion: null, ...e }) as RunEvent;
const thread = (id: string, agent: string, role: Thread["role"], peer?: Thread["peer"]): Thread => ({
  id,
  agent,
  version: 1,
  role,
  index: 0,
  status: "done",
  messages: [],
  pendingCalls: [],
  turns: 1,
  ...(peer ? { peer } : {}),
});
const ref = { group: "analysts", as: "market", topic: "request", key: "stage1", subProblem: "analysts:market:stage1" };
const threads = [
  thread("t1", "pricing-lead", "orchestrator"),
  thread("t2", "market", "peer", ref),
  thread("t3", "demand", "peer", { ...ref, as: "demand", subProblem: "analysts:demand:stage1" }),
];
const llm = (seq: number, threadId: string, agent: string) =>
  ev(seq, { type: "llm_call", agent, agentVersion: 1, threadId, attempt: 1, tier: "fast", model: "simulator/fast", usage: { inputTokens: 10, outputTokens: 5 }, latencyMs: 1, finish: "output" });

describe("coordination in the trace", () => {
  it("marks the orchestrated path and the peer group on spans, and records the bus's messages", () => {
    const lead = spansForCommit("run_h", [
      ev(2, { type: "step_started", step: 1, threads: ["t1"] }),
      llm(3, "t1", "pricing-lead"),
      ev(4, { type: "published", agent: "pricing-lead", agentVersion: 1, group: "analysts", topic: "request", key: "stage1", payload: {}, hop: false, hops: 0, delivered: ["t2", "t3"] }),
    ], undefined, { threads }).spans;
    expect(lead.map((s) => [s.kind, s.attributes["switchyard.coordination"] ?? null])).toEqual([
      ["step", "orchestrated"],
      ["llm", "orchestrated"],
      ["message", "orchestrated"],
    ]);
    expect(lead[2]).toMatchObject({ name: "hand to peer group analysts", attributes: { "switchyard.peer_group": "analysts", "switchyard.delivered": 2 } });

    const peerCommit = spansForCommit("run_h", [
      ev(5, { type: "step_started", step: 2, threads: ["t2", "t3"] }),
      llm(6, "t2", "market"),
      llm(7, "t3", "demand"),
      ev(8, { type: "context_write", agent: "demand", agentVersion: 1, threadId: "t3", group: "analysts", key: "marketPrice", value: 1, accepted: false, reason: "demand is not a designated writer of marketPrice" }),
      ev(9, { type: "conflict_resolved", group: "analysts", rule: "majority", answers: [{ agent: "market", vote: "raise", answer: {} }, { agent: "demand", vote: "raise", answer: {} }], agreed: true, outcome: "chosen", chosen: { agent: "market", vote: "raise" } }),
    ], undefined, { threads });
    const peers = peerCommit.spans;
    expect(peers.every((s) => s.attributes["switchyard.coordination"] === "peer_group")).toBe(true);
    expect(peers.every((s) => s.attributes["switchyard.peer_group"] === "analysts")).toBe(true);
    // A rejected write is handled, not a failure: an ok span marked rejected, no error in the run.
    const rejected = peers.find((s) => s.kind === "context")!;
    expect(rejected).toMatchObject({ status: "ok", error: null, name: "context write rejected: marketPrice" });
    expect(rejected.attributes).toMatchObject({
      "switchyard.accepted": false,
      "switchyard.rejected": true,
      "switchyard.rejected.reason": "demand is not a designated writer of marketPrice",
    });
    expect(isRejectedSpan(rejected.attributes)).toBe(true);
    expect(peers.filter((s) => s.kind !== "context").some((s) => isRejectedSpan(s.attributes))).toBe(false);
    expect(peerCommit.delta.errors).toBe(0);
    expect(peers.find((s) => s.kind === "step")?.status).toBe("ok");
    expect(peers.find((s) => s.kind === "conflict")).toMatchObject({ name: "majority: raise (agreed)" });

    const summary = summarizeCoordination(
      [...lead, ...peers].map((s) => ({ id: s.spanId, agent: s.agent, attributes: s.attributes })),
    );
    expect(summary.map((p) => [p.label, p.agents, p.spans])).toEqual([
      ["orchestrated", ["pricing-lead"], 3],
      ["peer group · analysts", ["market", "demand"], 5],
    ]);
  });

  it("adds nothing to the spans of a chain without coordination parts", () => {
    const spans = spansForCommit("run_h", [ev(2, { type: "step_started", step: 1, threads: ["t9"] }), llm(3, "t9", "triage")], undefined, {
      threads: [thread("t9", "triage", "agent")],
    }).spans;
    expect(spans.some((s) => "switchyard.coordination" in s.attributes)).toBe(false);
  });
});
