import { describe, expect, it } from "vitest";
import { ConfigurationError, defineAgent, RunLoop, supervisor } from "@/lib/runtime";
import {
  handoffTo,
  MemoryRunStore,
  MemoryToolLedger,
  ScriptedModel,
  sequentialIds,
} from "@/lib/runtime/testing";
import { billing, eventsOfType, harness, makeTools, router, technical } from "./fixtures";

const chain = supervisor({ name: "desk", router, specialists: [billing, technical] });
const toTechnical = { toolCalls: [handoffTo("technical", "app crashes")] };

describe("tool calls", () => {
  it("executes an allowed call with its idempotency key and records input, output and times", async () => {
    const h = harness([chain], {
      router: [toTechnical],
      technical: [
        { toolCalls: [{ name: "lookup_order", args: { orderId: "o7" } }] },
        { output: { reply: "Order o7 is fine." } },
      ],
    });
    const state = await h.loop.start("desk", "crash");

    expect(h.effects.lookups).toEqual(["o7"]);
    const [call] = eventsOfType(h.store.events(state.runId), "tool_call");
    expect(call).toMatchObject({
      agent: "technical",
      tool: "lookup_order",
      key: `${state.runId}:2:0`,
      input: { orderId: "o7" },
      output: { ok: true, output: { orderId: "o7", total: 80 } },
      replayed: false,
    });
    expect(call!.finishedAt).toBeGreaterThanOrEqual(call!.startedAt);
    const lastCall = h.model.callsFor("technical")[1]!;
    expect(lastCall.messages.at(-1)).toMatchObject({ role: "tool", name: "lookup_order" });
  });

  it("refuses and records a tool that is not on the agent's allow-list, without running it", async () => {
    const h = harness([chain], {
      router: [toTechnical],
      technical: [
        { toolCalls: [{ name: "refund", args: { orderId: "o7", amount: 20 } }] },
        { output: { reply: "Cannot refund." } },
      ],
    });
    const state = await h.loop.start("desk", "refund me");

    expect(h.effects.refunds).toHaveLength(0);
    const [refused] = eventsOfType(h.store.events(state.runId), "tool_refused");
    expect(refused).toMatchObject({
      agent: "technical",
      tool: "refund",
      reason: "not_allowed",
      input: { orderId: "o7", amount: 20 },
    });
    expect(eventsOfType(h.store.events(state.runId), "tool_call")).toHaveLength(0);
    const answer = h.model.callsFor("technical")[1]!.messages.at(-1)!;
    expect(answer).toMatchObject({ role: "tool", name: "refund" });
    expect(answer.content).toContain("not_allowed");
    expect(h.model.callsFor("technical")[0]!.tools).not.toContain("refund");
  });

  it("refuses arguments that fail the schema and hallucinated tools", async () => {
    const h = harness([chain], {
      router: [toTechnical],
      technical: [
        {
          toolCalls: [
            { name: "lookup_order", args: { order: 7 } },
            { name: "delete_account", args: {} },
          ],
        },
        { output: { reply: "Sorry." } },
      ],
    });
    const state = await h.loop.start("desk", "x");

    const reasons = eventsOfType(h.store.events(state.runId), "tool_refused").map((e) => e.reason);
    expect(reasons).toEqual(["invalid_arguments", "unknown_tool"]);
    expect(h.effects.lookups).toHaveLength(0);
    expect(state.status).toBe("completed");
  });

  it("rejects at construction an agent whose allow-list names an unregistered tool", () => {
    const rogue = defineAgent({
      name: "rogue",
      version: 1,
      instructions: "x",
      tools: ["wire_money"],
      handoffs: [],
    });
    const bad = supervisor({
      name: "bad",
      router: { ...router, handoffs: ["rogue"] },
      specialists: [rogue],
    });
    const deps = {
      chains: [bad],
      model: new ScriptedModel({}),
      store: new MemoryRunStore(),
      ledger: new MemoryToolLedger(),
      tools: makeTools({ lookups: [], refunds: [] }),
      ids: sequentialIds(),
    };
    expect(() => new RunLoop(deps)).toThrow(ConfigurationError);
  });
});
