import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  defineAgent,
  type Model,
  orchestratorWorker,
  RunLoop,
  subtaskPlanSchema,
  ToolRegistry,
} from "@/lib/runtime";
import {
  FakeClock,
  MemoryRunStore,
  MemoryToolLedger,
  ScriptedModel,
  sequentialIds,
} from "@/lib/runtime/testing";
import { eventsOfType, harness, typesOf } from "./fixtures";

const planner = defineAgent({
  name: "planner",
  version: 1,
  instructions: "Split the work.",
  outputSchema: subtaskPlanSchema,
});
const findingSchema = z.object({ finding: z.string() });
const orders = defineAgent({
  name: "orders",
  version: 1,
  instructions: "Check orders.",
  outputSchema: findingSchema,
});
const shipping = defineAgent({
  name: "shipping",
  version: 1,
  instructions: "Check shipping.",
  outputSchema: findingSchema,
});
const synth = defineAgent({
  name: "synth",
  version: 1,
  instructions: "Combine.",
  outputSchema: z.object({ reply: z.string() }),
});

const plan = {
  subtasks: [
    { worker: "orders", input: "order 7 status" },
    { worker: "shipping", input: "parcel 7 location" },
  ],
};

describe("orchestrator-worker", () => {
  it("fans subtasks out in parallel within one step and fans results in to the synthesizer", async () => {
    const chain = orchestratorWorker({
      name: "research",
      orchestrator: planner,
      workers: [orders, shipping],
      synthesizer: synth,
    });
    const h = harness([chain], {
      planner: [{ output: plan }],
      // The slower worker is listed first: the results must still come back in subtask order.
      orders: [{ output: { finding: "paid" }, delayMs: 30 }],
      shipping: [{ output: { finding: "in transit" }, delayMs: 5 }],
      synth: [{ output: { reply: "Paid and on its way." } }],
    });
    const state = await h.loop.start("research", "Where is order 7?");

    expect(state.status).toBe("completed");
    expect(state.output).toEqual({ reply: "Paid and on its way." });
    const events = h.store.events(state.runId);
    const steps = eventsOfType(events, "step_started");
    expect(steps.map((s) => s.threads.length)).toEqual([1, 2, 1]);
    // Both worker calls belong to step 2: nothing else was committed between them.
    const stepTwo = events.filter((e) => e.seq > steps[1]!.seq && e.seq < steps[2]!.seq);
    expect(typesOf(stepTwo)).toEqual(["llm_call", "llm_call"]);
    expect(stepTwo.map((e) => e.agent)).toEqual(["orders", "shipping"]);
    const synthInput = JSON.parse(h.model.callsFor("synth")[0]!.messages[0]!.content!) as unknown;
    expect(synthInput).toEqual({
      task: "Where is order 7?",
      results: [
        { worker: "orders", output: { finding: "paid" } },
        { worker: "shipping", output: { finding: "in transit" } },
      ],
    });
  });

  it("runs workers concurrently, not one after another", async () => {
    const chain = orchestratorWorker({
      name: "research",
      orchestrator: planner,
      workers: [orders, shipping],
    });
    const scripted = new ScriptedModel({
      planner: [{ output: plan }],
      orders: [{ output: { finding: "a" }, delayMs: 20 }],
      shipping: [{ output: { finding: "b" }, delayMs: 20 }],
    });
    let inFlight = 0;
    let maxInFlight = 0;
    const model: Model = {
      generate: async (request) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await scripted.generate(request);
        } finally {
          inFlight--;
        }
      },
    };
    const deps = {
      store: new MemoryRunStore(),
      ledger: new MemoryToolLedger(),
      ids: sequentialIds(),
    };
    const loop = new RunLoop({
      ...deps,
      chains: [chain],
      model,
      tools: new ToolRegistry(),
      clock: new FakeClock(),
    });
    const state = await loop.start("research", "go");

    expect(maxInFlight).toBe(2);
    expect(state.output).toEqual([
      { worker: "orders", output: { finding: "a" } },
      { worker: "shipping", output: { finding: "b" } },
    ]);
  });

  it("escalates a plan that names an unknown worker", async () => {
    const chain = orchestratorWorker({
      name: "research",
      orchestrator: planner,
      workers: [orders],
    });
    const h = harness([chain], {
      planner: [{ output: { subtasks: [{ worker: "legal", input: "x" }] } }],
    });
    const state = await h.loop.start("research", "go");
    expect(state.status).toBe("escalated");
    expect(state.escalation).toMatchObject({ reason: "invalid_plan" });
  });
});
