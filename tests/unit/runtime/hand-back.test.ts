import { describe, expect, it } from "vitest";
import { ConfigurationError, supervisor } from "@/lib/runtime";
import { handoffTo } from "@/lib/runtime/testing";
import {
  billing,
  eventsOfType,
  expectGapFree,
  harness,
  router,
  technical,
  typesOf,
} from "./fixtures";

const desk = supervisor({
  name: "desk",
  router,
  specialists: [billing, technical],
  limits: { maxHandoffs: 3, maxSteps: 4, budgetMs: 60_000 },
});
const ping = { toolCalls: [handoffTo("billing", "yours")] };
const pong = { toolCalls: [handoffTo("router", "not mine")] };

describe("handing an escalated run back to the agents", () => {
  it("continues the same run from its checkpoint with the note as the agents' input", async () => {
    const h = harness([desk], { router: [ping, ping], billing: [pong] });
    const escalated = await h.loop.start("desk", "Where is my invoice?");
    expect(escalated.escalation?.reason).toBe("handoff_loop");

    const { loop: lead, model } = h.newLoop({
      router: [{ toolCalls: [handoffTo("billing", "invoice copy")] }],
      billing: [{ output: { reply: "Here is your invoice." } }],
    });
    const input =
      "Customer: Where is my invoice?\n\nNote from the support team: billing owns this.";
    const handed = await lead.handBack(escalated.runId, {
      note: "billing owns this",
      input,
      by: "usr_1",
    });

    expect(handed).toMatchObject({ runId: escalated.runId, status: "running", input, handoffs: 0 });
    expect(handed.escalation).toBeUndefined();
    expect(handed.restartedAt).toEqual({ step: escalated.step, threads: escalated.threads.length });
    // The threads the loop left running are closed; the entry agent starts on the new input.
    expect(handed.threads.filter((t) => t.status === "running")).toEqual([
      expect.objectContaining({ agent: "router", messages: [{ role: "user", content: input }] }),
    ]);

    // The earlier router <-> billing hops do not count against the restarted run.
    const done = await lead.run(escalated.runId);
    expect(done.status).toBe("completed");
    expect(done.output).toEqual({ reply: "Here is your invoice." });
    expect(model.calls.map((c) => c.agent)).toEqual(["router", "billing"]);
    const events = h.store.events(escalated.runId);
    expect(eventsOfType(events, "handed_back")).toEqual([
      expect.objectContaining({
        note: "billing owns this",
        by: "usr_1",
        threads: [handed.threads.at(-1)!.id],
      }),
    ]);
    expect(typesOf(events).filter((t) => t === "run_started")).toHaveLength(1);
    expect(expectGapFree(events)).toBe(true);
  });

  it("gives the agents a fresh step and wall-clock budget", async () => {
    const h = harness([desk], { router: [ping, ping], billing: [pong] });
    const escalated = await h.loop.start("desk", "??");
    h.clock.advance(120_000);
    const { loop: lead } = h.newLoop({ router: [{ text: "Sorted." }] });
    await lead.handBack(escalated.runId, { note: "try again", input: "??" });
    const done = await lead.run(escalated.runId);
    expect(done.status).toBe("completed");
    expect(done.step).toBeGreaterThan(desk.limits.maxSteps - 1);
  });

  it("refuses a run that is not escalated, and an empty note", async () => {
    const h = harness([desk], { router: [{ text: "Hi" }] });
    const completed = await h.loop.start("desk", "hello");
    await expect(h.loop.handBack(completed.runId, { note: "go", input: "hello" })).rejects.toThrow(
      ConfigurationError,
    );
    await expect(h.loop.handBack(completed.runId, { note: " ", input: "hello" })).rejects.toThrow(
      /invalid hand-back/,
    );
  });
});
