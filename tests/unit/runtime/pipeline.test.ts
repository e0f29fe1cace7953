import { describe, expect, it } from "vitest";
import { pipeline } from "@/lib/runtime";
import { eventsOfType, expectGapFree, harness, triage, typesOf, writer } from "./fixtures";

const chain = pipeline({ name: "support", stages: [triage, writer], limits: { budgetMs: 10_000 } });
const triaged = { category: "billing", summary: "double charge" };

describe("pipeline", () => {
  it("feeds each stage's validated output to the next and answers with the last", async () => {
    const h = harness([chain], {
      triage: [{ output: JSON.stringify(triaged) }],
      writer: [{ output: { reply: "Refund on its way" } }],
    });
    const state = await h.loop.start("support", "I was charged twice");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ reply: "Refund on its way" });
    const writerCall = h.model.callsFor("writer")[0]!;
    expect(writerCall.messages).toEqual([{ role: "user", content: JSON.stringify(triaged) }]);
    const events = h.store.events(state.runId);
    expect(typesOf(events)).toEqual([
      "run_started",
      "step_started",
      "llm_call",
      "step_started",
      "llm_call",
      "completed",
    ]);
    expect(events.slice(2).map((e) => e.agent)).toEqual(["triage", null, "writer", null]);
    expect(eventsOfType(events, "llm_call")[0]).toMatchObject({
      agentVersion: 1,
      tier: "fast",
      model: "scripted-fast",
    });
    expect(expectGapFree(events)).toBe(true);
  });

  it("commits exactly once per step: start's creation rides with the first step", async () => {
    const h = harness([chain], {
      triage: [{ output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    const state = await h.loop.start("support", "hi");
    const events = h.store.events(state.runId);
    const steps = eventsOfType(events, "step_started").length;
    expect(steps).toBe(2);
    expect(h.store.commitCount(state.runId)).toBe(steps);
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(["run_started", "step_started"]);
    expect(state.seq).toBe(events.length);
  });

  it("creates a run durably on its own with create, for a caller that answers first", async () => {
    const h = harness([chain], {
      triage: [{ output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    const created = await h.loop.create("support", "hi");
    expect(h.store.commitCount(created.runId)).toBe(1);
    expect(h.store.events(created.runId).map((e) => e.type)).toEqual(["run_started"]);
    const state = await h.loop.run(created.runId);
    expect(state.status).toBe("completed");
    expect(h.store.commitCount(created.runId)).toBe(3);
  });

  it("leaves nothing behind when start's first step fails before its commit", async () => {
    const h = harness([chain], { triage: [], writer: [] });
    await expect(h.loop.start("support", "hi", { runId: "run_lost" })).rejects.toThrow();
    expect(h.store.commitCount("run_lost")).toBe(0);
    expect(await h.store.loadCheckpoint("run_lost")).toBeUndefined();
  });

  it("checkpoints a finished stage as its output, not its history", async () => {
    const h = harness([chain], {
      triage: [{ output: "{not json" }, { output: triaged }],
      writer: [{ output: { reply: "Refund on its way" } }],
    });
    const state = await h.loop.start("support", "I was charged twice");

    expect(state.threads.map((t) => [t.agent, t.status, t.messages, t.output])).toEqual([
      ["triage", "done", [], triaged],
      ["writer", "done", [], { reply: "Refund on its way" }],
    ]);
    // The corrective retry and the answers are still in the log.
    expect(eventsOfType(h.store.events(state.runId), "llm_call")).toHaveLength(3);
  });

  it("gives malformed structured output exactly one corrective retry", async () => {
    const h = harness([chain], {
      triage: [{ output: "{not json" }, { output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    const state = await h.loop.start("support", "hi");

    expect(state.status).toBe("completed");
    const calls = h.model.callsFor("triage");
    expect(calls).toHaveLength(2);
    expect(calls[1]!.messages.at(-1)!.content).toContain(
      "did not match the required output schema",
    );
    const triageEvents = h.store.events(state.runId).filter((e) => e.agent === "triage");
    expect(typesOf(triageEvents)).toEqual(["llm_call", "validation_failed", "retry", "llm_call"]);
    expect(eventsOfType(triageEvents, "llm_call").map((e) => e.attempt)).toEqual([1, 2]);
    // The corrective exchange is not kept in the thread's history.
    expect(h.model.callsFor("writer")[0]!.messages).toHaveLength(1);
  });

  it("escalates after the second schema violation without a third call", async () => {
    const h = harness([chain], {
      triage: [
        { output: { category: "sales" } },
        { output: { category: "sales", summary: 3 } },
        { output: triaged },
      ],
      writer: [],
    });
    const state = await h.loop.start("support", "hi");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("validation_failed");
    expect(h.model.callsFor("triage")).toHaveLength(2);
    const failures = eventsOfType(h.store.events(state.runId), "validation_failed");
    expect(failures.map((f) => f.attempt)).toEqual([1, 2]);
    expect(failures[1]!.issues.join()).toContain("summary");
  });

  it("treats a provider's malformed_output like a schema violation", async () => {
    const h = harness([chain], {
      triage: [{ fault: "malformed_output" }, { output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    const state = await h.loop.start("support", "hi");
    expect(state.status).toBe("completed");
    expect(typesOf(h.store.events(state.runId))).toContain("retry");
  });

  it("surfaces a classified provider error and escalates instead of throwing", async () => {
    const h = harness([chain], { triage: [{ fault: "rate_limit", retryAfterMs: 2000 }] });
    const state = await h.loop.start("support", "hi");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("provider_error");
    const [call] = eventsOfType(h.store.events(state.runId), "llm_call");
    expect(call).toMatchObject({
      finish: "error",
      error: { kind: "rate_limit", retryAfterMs: 2000 },
    });
  });

  it("answers with its last reply when the wall-clock budget runs out", async () => {
    const drafted = pipeline({ name: "drafted", stages: [writer, triage], limits: { budgetMs: 10_000 } });
    const h = harness([drafted], {
      writer: [{ output: { reply: "a first answer" }, latencyMs: 11_000 }],
      triage: [{ output: triaged }],
    });
    const state = await h.loop.start("drafted", "hi");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ reply: "a first answer" });
    expect(h.model.remaining("triage")).toBe(1);
    const completed = eventsOfType(h.store.events(state.runId), "completed")[0]!;
    expect(completed).toMatchObject({ partial: true, bound: "wall_clock_budget" });
  });

  it("escalates at the wall-clock budget when its last output is not a reply (a triage verdict)", async () => {
    const h = harness([chain], {
      triage: [{ output: triaged, latencyMs: 11_000 }],
      writer: [{ output: { reply: "too late" } }],
    });
    const state = await h.loop.start("support", "hi");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("wall_clock_budget");
    expect(h.model.remaining("writer")).toBe(1);
    expect(eventsOfType(h.store.events(state.runId), "completed")).toHaveLength(0);
  });

  it("escalates when the budget runs out before any answer exists", async () => {
    const h = harness([chain], { triage: [{ fault: "timeout", latencyMs: 5_000 }] });
    // A run created now but picked up by a worker after its budget passed.
    const created = await h.loop.create("support", "hi");
    h.clock.advance(10_000);
    const state = await h.loop.run(created.runId);

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("wall_clock_budget");
    expect(h.model.calls).toHaveLength(0);
  });
});
