import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { demoChains, demoTools } from "@/lib/agents";
import { contractFieldsSchema, validationSchema } from "@/lib/agents/contracts-team";
import { sampleContracts } from "@/lib/agents/samples/contracts";
import { sampleConversations } from "@/lib/agents/samples/support-conversations";
import { REFUND_APPROVAL_THRESHOLD } from "@/lib/agents/support-team";
import { SimulatorModel } from "@/lib/providers/simulator";
import { getConversationView, startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { runStateSchema, ToolRegistry } from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, runsOf, settledConversation, testWorker } from "../helpers/runtime";

setupTestDatabase();

/** Both demo teams on the simulator with no latency and no faults. */
const parts: RuntimeParts = {
  chains: demoChains(),
  tools: new ToolRegistry(demoTools()),
  model: new SimulatorModel({ seed: 7 }),
};
let worker: ReturnType<typeof testWorker>;
beforeAll(async () => {
  worker = testWorker(parts);
  await worker.start();
});
afterAll(() => worker.stop());

async function converse(message: string, chain?: string) {
  const { id } = await startConversation(testDb(), { message, apiKeyId: null, chain }, parts);
  const conversation = await settledConversation(id);
  const [run] = await runsOf(id);
  const state = runStateSchema.parse(run!.checkpoint);
  const events = await eventsOf(run!.id);
  const view = await getConversationView(testDb(), id, { apiKeyId: null });
  return { id, conversation, run: run!, state, events, view: view! };
}

const llmAgents = (events: Awaited<ReturnType<typeof eventsOf>>) =>
  events.filter((e) => e.type === "llm_call").map((e) => e.agent);

async function refundsOf(runId: string) {
  const ledger = await testDb()
    .select()
    .from(schema.toolLedger)
    .where(eq(schema.toolLedger.runId, runId));
  return ledger.filter((entry) => entry.tool === "refund");
}

describe("the support team on the shipped sample conversations", () => {
  it.each(sampleConversations.map((s) => [s.id, s] as const))(
    "%s ends as expected",
    async (_id, sample) => {
      const { conversation, run, state, events, view } = await converse(sample.message);
      const expected = sample.expected;
      const agents = llmAgents(events);
      expect(agents[0]).toBe("triage");

      if (expected.kind === "answered") {
        expect(conversation.status).toBe("waiting_for_customer");
        expect(state.status).toBe("completed");
        const reply = view.messages.at(-1)!;
        expect(reply).toMatchObject({ role: "agent", agent: expected.agent });
        // The reviewer ran after the last reply of the specialist, and approved it.
        expect(agents.at(-1)).toBe("reviewer");
        expect(agents.at(-2)).toBe(expected.agent);
        const verdicts = state.threads.filter((t) => t.agent === "reviewer").map((t) => t.output);
        expect(verdicts.at(-1)).toMatchObject({ approved: true });
        expect(verdicts.length).toBe(expected.revised ? 2 : 1);
        if (expected.revised) expect(verdicts[0]).toMatchObject({ approved: false });
        if (expected.cites) {
          expect(reply.content).toContain(expected.cites);
          expect(state.output).toMatchObject({ citations: [expected.cites] });
        }
        const refunds = await refundsOf(run.id);
        expect(refunds).toHaveLength(expected.refundIssued ? 1 : 0);
        if (expected.refundIssued) {
          expect(reply.content).toMatch(/refund of \$\d+.*issued \(reference rf_/);
          expect(
            events.filter(
              (e) => e.type === "tool_call" && (e.data as { tool: string }).tool === "refund",
            ),
          ).toHaveLength(1);
        }
      } else if (expected.kind === "refund_parked") {
        expect(conversation.status).toBe("escalated");
        expect(run.status).toBe("waiting_for_human");
        expect(expected.amount).toBeGreaterThan(REFUND_APPROVAL_THRESHOLD);
        expect(state.interruptions).toEqual([
          expect.objectContaining({
            kind: "tool_approval",
            agent: "billing",
            tool: "refund",
            args: expect.objectContaining({ amount: expected.amount }) as unknown,
          }),
        ]);
        expect(await refundsOf(run.id)).toEqual([]);
        expect(events.map((e) => e.type)).toContain("interrupted");
      } else {
        expect(conversation.status).toBe("escalated");
        expect(state.status).toBe("escalated");
        expect(state.escalation?.reason).toBe(expected.reason);
        const escalated = events.find((e) => e.type === "escalated");
        expect(escalated?.data).toMatchObject({ reason: expected.reason });
        // What the customer reads is the hand-over notice, never an unapproved draft.
        expect(agents.at(-1)).toBe("reviewer");
        expect(view.messages.at(-1)).toMatchObject({ role: "agent", agent: "switchyard" });
      }
    },
  );

  it("records the reason a customer was handed to a person", async () => {
    const sample = sampleConversations.find((s) => s.id === "ask-for-person")!;
    const { state } = await converse(sample.message);
    expect(state.escalation).toEqual({
      reason: "customer_request",
      detail: "general: customer asked to talk to a person",
    });
  });
});

describe("the simulator is deterministic", () => {
  /** What must repeat: event types, agents, tiers, tool inputs and outputs, final outputs. */
  const normalized = (events: Awaited<ReturnType<typeof eventsOf>>, runId: string) =>
    events.map((e) => {
      const data = { ...(e.data as Record<string, unknown>) };
      for (const volatile of [
        "latencyMs",
        "startedAt",
        "finishedAt",
        "key",
        "interruptionIds",
        "threads",
      ])
        delete data[volatile];
      const text = JSON.stringify(data)
        .replaceAll(runId, "RUN")
        .replace(/rf_[a-z0-9]+/gi, "rf_X");
      return { type: e.type, agent: e.agent, data: JSON.parse(text) as unknown };
    });

  it.each(["refund-small", "discount-ask", "sync-failed", "refund-large"])(
    "replays %s with the same seed into the same events",
    async (sampleId) => {
      const sample = sampleConversations.find((s) => s.id === sampleId)!;
      const first = await converse(sample.message);
      const second = await converse(sample.message);
      const a = normalized(first.events, first.run.id);
      const b = normalized(second.events, second.run.id);
      expect(a.length).toBeGreaterThan(4);
      expect(b).toEqual(a);
      expect(second.view.messages.at(-1)?.content.replace(/rf_[a-z0-9]+/gi, "rf_X")).toBe(
        first.view.messages.at(-1)?.content.replace(/rf_[a-z0-9]+/gi, "rf_X"),
      );
    },
  );
});

describe("the contract pipeline on the shipped sample documents", () => {
  const tiers = {
    classifier: "fast",
    extractor: "standard",
    validator: "strong",
    synthesizer: "standard",
  };

  it.each(sampleContracts.map((c) => [c.id, c] as const))("processes %s", async (_id, sample) => {
    const { conversation, state, events, view } = await converse(sample.text, "contracts");
    expect(conversation.status).toBe("waiting_for_customer");
    expect(state.status).toBe("completed");

    const calls = events.filter((e) => e.type === "llm_call");
    expect(calls.map((e) => [e.agent, (e.data as { tier: string }).tier])).toEqual(
      Object.entries(tiers),
    );
    expect(calls.map((e) => (e.data as { model: string }).model)).toEqual(
      Object.values(tiers).map((tier) => `simulator/${tier}`),
    );

    const output = (agent: string) => state.threads.find((t) => t.agent === agent)?.output;
    expect(output("classifier")).toMatchObject({ contractType: sample.expected.contractType });
    const fields = contractFieldsSchema.parse(output("extractor"));
    expect(fields.parties).toEqual(sample.expected.parties);
    expect(fields.governingLaw).toBe(sample.expected.governingLaw);
    expect(fields.effectiveDate).toMatch(/^2025-\d{2}-\d{2}$/);
    expect(fields.termMonths).toBeGreaterThan(0);
    const validation = validationSchema.parse(output("validator"));
    expect(validation.risks.map((r) => r.clause).sort()).toEqual(
      [...sample.expected.riskyClauses].sort(),
    );

    const reply = view.messages.at(-1)!;
    expect(reply).toMatchObject({ role: "agent", agent: "synthesizer" });
    for (const party of sample.expected.parties) expect(reply.content).toContain(party);
  });

  it("pulls the key terms out of the MSA", async () => {
    const msa = sampleContracts.find((c) => c.id === "master-services-agreement")!;
    const { state } = await converse(msa.text, "contracts");
    expect(state.threads.find((t) => t.agent === "extractor")?.output).toEqual({
      parties: ["Brightline Logistics Corp.", "Kestrel Systems Ltd"],
      effectiveDate: "2025-01-15",
      endDate: null,
      term: "3 years",
      termMonths: 36,
      fees: "$18,500 per month",
      autoRenews: true,
      renewal: expect.stringContaining(
        "automatically renews for successive one (1) year periods",
      ) as unknown,
      renewalNoticeDays: 90,
      governingLaw: "New York",
      terminationNoticeDays: 60,
      liability: expect.stringContaining("shall not exceed the fees paid") as unknown,
    });
  });

  it("flags the order form whose term contradicts its dates as inconsistent", async () => {
    const form = sampleContracts.find((c) => c.id === "analytics-order-form")!;
    const { state } = await converse(form.text, "contracts");
    const validation = validationSchema.parse(
      state.threads.find((t) => t.agent === "validator")?.output,
    );
    expect(validation.consistent).toBe(false);
    expect(validation.missing).toContain("governingLaw");
    expect(state.output).toMatchObject({ riskLevel: "high" });
  });
});
