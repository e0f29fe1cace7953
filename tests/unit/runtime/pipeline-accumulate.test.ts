import { describe, expect, it } from "vitest";
import { humanReview, pipeline } from "@/lib/runtime";
import { harness, triage, writer } from "./fixtures";

const triaged = { category: "billing", summary: "double charge" };

describe("an accumulating pipeline", () => {
  const chain = pipeline({ name: "acc", stages: [triage, writer], accumulate: true });

  it("gives a later stage the run input and every earlier output, keyed by agent", async () => {
    const h = harness([chain], {
      triage: [{ output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    const state = await h.loop.start("acc", "I was charged twice");

    expect(state.status).toBe("completed");
    const writerInput = h.model.callsFor("writer")[0]!.messages[0]!.content!;
    expect(JSON.parse(writerInput)).toEqual({
      input: "I was charged twice",
      outputs: { triage: triaged },
    });
  });

  it("passes a human's edit on instead of the original output", async () => {
    const reviewed = pipeline({
      name: "acc-review",
      stages: [triage, humanReview("check"), writer],
      accumulate: true,
    });
    const h = harness([reviewed], {
      triage: [{ output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    const parked = await h.loop.start("acc-review", "I was charged twice");
    const edited = { category: "technical", summary: "login" };
    const id = parked.interruptions[0]!.id;
    const state = await h.loop.resume(parked.runId, {
      interruptionId: id,
      approved: true,
      output: edited,
    });

    expect(state.status).toBe("completed");
    const writerInput = JSON.parse(h.model.callsFor("writer")[0]!.messages[0]!.content!) as unknown;
    expect(writerInput).toEqual({ input: "I was charged twice", outputs: { triage: edited } });
  });

  it("keeps passing only the previous output when not accumulating", async () => {
    const plain = pipeline({ name: "plain", stages: [triage, writer] });
    const h = harness([plain], {
      triage: [{ output: triaged }],
      writer: [{ output: { reply: "ok" } }],
    });
    await h.loop.start("plain", "I was charged twice");
    expect(h.model.callsFor("writer")[0]!.messages[0]!.content).toBe(JSON.stringify(triaged));
  });
});
