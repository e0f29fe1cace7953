import { describe, expect, it } from "vitest";
import {
  defineAgent,
  type ModelInvoker,
  pipeline,
  ProviderError,
  type RunEvent,
  RunLoop,
  supervisor,
  SystemFailure,
} from "@/lib/runtime";
import {
  handoffTo,
  MemoryRunStore,
  MemoryToolLedger,
  ScriptedModel,
  sequentialIds,
  FakeClock,
} from "@/lib/runtime/testing";
import {
  billing,
  eventsOfType,
  harness,
  makeTools,
  replySchema,
  router,
  technical,
  triage,
  writer,
} from "./fixtures";

const lookup = { toolCalls: [{ name: "lookup_order", args: { orderId: "o1" } }] };

describe("loop bounds", () => {
  it("stops a tool loop at maxSteps and escalates when it has no answer", async () => {
    const desk = supervisor({
      name: "desk",
      router,
      specialists: [billing, technical],
      limits: { maxSteps: 3 },
    });
    const h = harness([desk], {
      router: [{ toolCalls: [handoffTo("technical", "x")] }],
      technical: [lookup, lookup, lookup, lookup],
    });
    const state = await h.loop.start("desk", "loop forever");

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("max_steps");
    expect(state.step).toBe(4);
    expect(h.model.calls).toHaveLength(3);
    // One commit per step (the creation rides with the first).
    expect(h.store.commitCount(state.runId)).toBe(4);
  });

  it("escalates an agent that exceeds its own turn limit", async () => {
    const eager = defineAgent({
      name: "technical",
      version: 1,
      instructions: "x",
      tools: ["lookup_order"],
      outputSchema: replySchema,
      limits: { maxTurns: 2 },
    });
    const desk = supervisor({
      name: "desk",
      router: { ...router, handoffs: ["technical"] },
      specialists: [eager],
    });
    const h = harness([desk], {
      router: [{ toolCalls: [handoffTo("technical", "x")] }],
      technical: [lookup, lookup, lookup],
    });
    const state = await h.loop.start("desk", "x");

    expect(state.escalation?.reason).toBe("max_turns");
    expect(h.model.callsFor("technical")).toHaveLength(2);
    // The second lookup was planned but never executed: its result could not reach the model.
    expect(h.effects.lookups).toHaveLength(1);
  });
});

describe("versions and observers", () => {
  const writerV2 = defineAgent({
    name: "writer",
    version: 2,
    instructions: "Write it better.",
    outputSchema: replySchema,
  });
  const chain = pipeline({ name: "support", stages: [triage, writer], agents: [writerV2] });
  const triaged = { category: "other", summary: "s" };

  it("pins the newest version at start unless a version is chosen, and attributes events to it", async () => {
    const h = harness([chain], {
      triage: [{ output: triaged }, { output: triaged }],
      writer: [{ output: { reply: "a" } }, { output: { reply: "b" } }],
    });
    const newest = await h.loop.start("support", "hi");
    const canary = await h.loop.start("support", "hi", { versions: { writer: 1 } });

    expect(newest.versions).toEqual({ triage: 1, writer: 2 });
    expect(canary.versions).toEqual({ triage: 1, writer: 1 });
    expect(h.model.callsFor("writer").map((c) => c.version)).toEqual([2, 1]);
    const writerCalls = eventsOfType(h.store.events(canary.runId), "llm_call").filter(
      (e) => e.agent === "writer",
    );
    expect(writerCalls.map((e) => e.agentVersion)).toEqual([1]);
  });

  it("tells the observer exactly what each commit made durable", async () => {
    const committed: RunEvent[][] = [];
    const model = new ScriptedModel({
      triage: [{ output: triaged }],
      writer: [{ output: { reply: "a" } }],
    });
    const store = new MemoryRunStore();
    const loop = new RunLoop({
      chains: [chain],
      model,
      store,
      ledger: new MemoryToolLedger(),
      tools: makeTools({ lookups: [], refunds: [] }),
      ids: sequentialIds(),
      clock: new FakeClock(),
      observer: { onCommitted: (events) => committed.push([...events]) },
    });
    const state = await loop.start("support", "hi");
    expect(committed).toHaveLength(store.commitCount(state.runId));
    expect(committed.flat()).toEqual(store.events(state.runId));
  });
});

describe("resilience seam", () => {
  it("records the retries a model invoker performs as retry events", async () => {
    const retryOnce: ModelInvoker = async (model, request, hooks) => {
      try {
        return await model.generate(request);
      } catch (error) {
        if (!(error instanceof ProviderError) || !error.retryable) throw error;
        hooks.onRetry({ attempt: 2, error, delayMs: error.retryAfterMs ?? 0 });
        return model.generate(request);
      }
    };
    const chain = pipeline({ name: "support", stages: [triage, writer] });
    const model = new ScriptedModel({
      triage: [
        { fault: "rate_limit", retryAfterMs: 1500 },
        { output: { category: "other", summary: "s" } },
      ],
      writer: [{ output: { reply: "a" } }],
    });
    const store = new MemoryRunStore();
    const deps = {
      ledger: new MemoryToolLedger(),
      tools: makeTools({ lookups: [], refunds: [] }),
      ids: sequentialIds(),
    };
    const loop = new RunLoop({ ...deps, chains: [chain], model, store, invokeModel: retryOnce });
    const state = await loop.start("support", "hi");

    expect(state.status).toBe("completed");
    const [retry] = eventsOfType(store.events(state.runId), "retry");
    expect(retry).toMatchObject({
      agent: "triage",
      reason: "provider_error",
      attempt: 2,
      delayMs: 1500,
    });
  });
});

describe("failing a run from outside", () => {
  it("fails a running run in one commit with a failed event, and leaves a settled run alone", async () => {
    const desk = supervisor({ name: "desk", router, specialists: [billing, technical] });
    const h = harness([desk], {});
    const created = await h.loop.create("desk", "hello");

    const failed = await h.loop.fail(created.runId, new SystemFailure("claimed 10 times"));
    expect(failed).toMatchObject({ status: "failed", seq: created.seq + 1 });
    expect(h.store.commitCount(created.runId)).toBe(2);
    const last = h.store.events(created.runId).at(-1);
    expect(last).toMatchObject({
      type: "failed",
      seq: created.seq + 1,
      agent: null,
      error: { category: "system", message: "claimed 10 times" },
    });
    expect((await h.store.loadCheckpoint(created.runId))?.state.status).toBe("failed");

    const again = await h.loop.fail(created.runId, new SystemFailure("again"));
    expect(again.status).toBe("failed");
    expect(h.store.commitCount(created.runId)).toBe(2);
    expect(h.model.calls).toHaveLength(0);
  });
});
