import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { createSimulatorModel } from "@/lib/providers/simulator";
import { type SimulatorConfig, simulatorConfigSchema, type SimulatorConfigInput } from "@/lib/providers/simulator/config";
import { getConversationView, startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { ToolRegistry } from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";

setupTestDatabase();

// One worker for the file with a config the tests swap between conversations: two workers with
// different models would claim each other's runs.
let current: SimulatorConfig = config({});
const parts: RuntimeParts = {
  chains: [supportChain],
  tools: new ToolRegistry(supportTools),
  model: createSimulatorModel(() => current),
};
let worker: ReturnType<typeof testWorker>;
beforeAll(async () => {
  worker = testWorker(parts);
  await worker.start();
});
afterAll(() => worker.stop());

function config(input: Omit<SimulatorConfigInput, "latency">): SimulatorConfig {
  return simulatorConfigSchema.parse({ ...input, latency: { medianMs: 0, p95Ms: 0, maxMs: 0 }, timeoutMs: 0 });
}

type EventRow = Awaited<ReturnType<typeof eventsOf>>[number];
const dataOf = (e: EventRow) => e.data as Record<string, unknown>;

/** Runs one conversation to its first stop under `cfg`; returns its status, events and last reply. */
async function converse(cfg: SimulatorConfig, message: string) {
  current = cfg;
  const { id } = await startConversation(testDb(), { message, apiKeyId: null }, parts);
  const settled = await settledConversation(id);
  const [run] = await runsOf(id);
  const events = await eventsOf(run!.id);
  const view = await getConversationView(testDb(), id, { apiKeyId: null });
  return { status: settled.status, runStatus: run!.status, events, reply: view?.messages.at(-1) };
}

const technicalQuestion = "My sync failed with an error on my laptop";

describe("simulator faults through the durable runtime", () => {
  it("malformed JSON: validation_failed, one corrective retry, then the run completes", async () => {
    // The fault hits half of the technical agent's calls; find a seed whose first answer is broken
    // and whose corrective retry is not. Deterministic: the same seed finds the same run each time.
    let found: Awaited<ReturnType<typeof converse>> | undefined;
    for (let seed = 1; seed <= 30 && !found; seed++) {
      const result = await converse(
        config({ seed, faults: [{ target: { agent: "technical" }, rates: { malformed_json: 0.5 } }] }),
        technicalQuestion,
      );
      if (result.runStatus === "completed" && result.events.some((e) => e.type === "validation_failed")) found = result;
    }
    expect(found, "a seed in 1..30 with a broken answer fixed by the retry").toBeDefined();
    const events = found!.events;
    const failed = events.findIndex((e) => e.type === "validation_failed");
    expect(dataOf(events[failed]!)).toMatchObject({ attempt: 1, issues: ["output is not valid JSON"] });
    expect(events[failed - 1]).toMatchObject({ type: "llm_call", agent: "technical" });
    expect(dataOf(events[failed - 1]!)).toMatchObject({ model: "simulator/standard", finish: "output" });
    expect(events[failed + 1]).toMatchObject({ type: "retry", agent: "technical" });
    expect(dataOf(events[failed + 1]!)).toMatchObject({ reason: "validation", attempt: 2 });
    expect(events[failed + 2]).toMatchObject({ type: "llm_call", agent: "technical" });
    expect(dataOf(events[failed + 2]!)).toMatchObject({ attempt: 2 });
    expect(events.at(-1)?.type).toBe("completed");
    expect(found!.status).toBe("waiting_for_customer");
    expect(found!.reply).toMatchObject({ role: "agent", agent: "technical" });
    // The corrected answer is about the customer's question, not about the correction prompt.
    expect(found!.reply?.content).toContain("kb-204");
  });

  it("a hallucinated tool call is refused and recorded, never executed", async () => {
    const result = await converse(
      config({ faults: [{ target: { agent: "technical" }, rates: { disallowed_tool: 1 } }] }),
      technicalQuestion,
    );
    const refused = result.events.filter((e) => e.type === "tool_refused");
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e.agent).toBe("technical");
      expect(dataOf(e).reason).toMatch(/^(unknown_tool|not_allowed)$/);
      expect(["delete_account", "refund", "export_customer_data"]).toContain(dataOf(e).tool);
    }
    const executed = result.events.filter((e) => e.type === "tool_call").map((e) => dataOf(e).tool);
    expect(executed).not.toContain(dataOf(refused[0]!).tool);
    expect(result.status).not.toBe("running");
  });

  it("a 429 is recorded on the llm_call with its Retry-After", async () => {
    const result = await converse(config({ faults: [{ rates: { rate_limit: 1 }, retryAfterMs: 1_500 }] }), "hello there");
    const call = result.events.find((e) => e.type === "llm_call");
    expect(call?.agent).toBe("triage");
    expect(dataOf(call!)).toMatchObject({
      finish: "error",
      model: null,
      error: { kind: "rate_limit", retryAfterMs: 1_500 },
    });
    expect(result.status).toBe("escalated");
  });

  it("the same conversations under the same seed produce the same events and outputs", async () => {
    const cfg = config({
      seed: 5,
      faults: [
        { target: { agent: "technical" }, rates: { malformed_json: 0.3, disallowed_tool: 0.2 } },
        { target: { tier: "fast" }, rates: { schema_violation: 0.3, disallowed_tool: 0.2 } },
        { rates: { malformed_json: 0.3, server_error: 0.1 } },
      ],
    });
    const comparable = (events: EventRow[]) =>
      events.map((e) => {
        const d = dataOf(e);
        const pick: Record<string, unknown> = { type: e.type, agent: e.agent };
        for (const k of ["finish", "model", "tool", "reason", "issues", "output", "from", "to", "attempt"]) {
          if (k in d) pick[k] = d[k];
        }
        if (e.type === "tool_call") pick.result = (d.output as { ok: boolean }).ok;
        return pick;
      });
    const messages = [
      "The desktop app crashes when I install the update",
      "I was charged twice on my invoice",
      "What are your opening hours?",
      "My sync failed with an error on my laptop",
    ];
    let faulted = 0;
    for (const message of messages) {
      const first = await converse(cfg, message);
      const second = await converse(cfg, message);
      expect(comparable(second.events), message).toEqual(comparable(first.events));
      expect(second.reply?.content).toBe(first.reply?.content);
      expect(second.status).toBe(first.status);
      if (first.events.some((e) => ["validation_failed", "tool_refused"].includes(e.type) || dataOf(e).finish === "error")) faulted++;
    }
    // Otherwise the comparison would prove nothing about fault decisions.
    expect(faulted).toBeGreaterThan(0);
  });
});
