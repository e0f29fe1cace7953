import { describe, expect, it } from "vitest";
import { demoChains, demoTools } from "@/lib/agents";
import { sampleContracts } from "@/lib/agents/samples/contracts";
import { reviewReply } from "@/lib/agents/simulation/support-answers";
import { extractContractFields } from "@/lib/agents/simulation/contract-fields";
import { SimulatorModel } from "@/lib/providers/simulator";
import { type AgentDefinition, ToolRegistry } from "@/lib/runtime";

const review = (agent: string, reply: unknown) =>
  reviewReply(JSON.stringify({ request: "help", agent, reply }));

describe("the simulated reviewer", () => {
  const cited = {
    reply: "Resetting your password: … (see kb-101)",
    confidence: 0.86,
    citations: ["kb-101"],
  };
  it.each([
    ["a cited technical reply", "technical", cited, true],
    [
      "an uncited, confident technical reply",
      "technical",
      { reply: "Just reinstall it, that always works.", confidence: 0.8, citations: [] },
      false,
    ],
    [
      "a reply citing an article it does not show",
      "technical",
      { ...cited, reply: "Reset it from the sign-in page." },
      false,
    ],
    [
      "a reply citing an unknown article",
      "technical",
      { ...cited, reply: "See kb-999", citations: ["kb-999"] },
      false,
    ],
    ["an empty reply", "general", { reply: "  ", confidence: 0.9, citations: [] }, false],
    [
      "a promised discount",
      "general",
      { reply: "I can offer you a 20% discount today.", confidence: 0.8, citations: [] },
      false,
    ],
    [
      "a refund claim without reference",
      "billing",
      { reply: "Your refund has been issued.", confidence: 0.9, citations: [] },
      false,
    ],
    [
      "a hand-over",
      "general",
      { reply: "Connecting you.", confidence: 0.9, citations: [], handover: "asked" },
      true,
    ],
    [
      "an honest, unsure technical reply",
      "technical",
      { reply: "I couldn't find an article for this.", confidence: 0.35, citations: [] },
      true,
    ],
  ])("%s → approved %s", (_name, agent, reply, approved) => {
    const verdict = review(agent, reply);
    expect(verdict.approved).toBe(approved);
    expect(verdict.issues.length > 0).toBe(!approved);
  });
});

describe("the simulated extractor", () => {
  it.each(sampleContracts.map((c) => [c.id, c] as const))(
    "reads the parties and governing law of %s",
    (_id, sample) => {
      const fields = extractContractFields(sample.text);
      expect(fields.parties).toEqual(sample.expected.parties);
      expect(fields.governingLaw).toBe(sample.expected.governingLaw);
    },
  );

  it("reads an NDA's dates, term and notice, and knows it has no fees", () => {
    const nda = sampleContracts.find((c) => c.id === "mutual-nda")!;
    expect(extractContractFields(nda.text)).toMatchObject({
      effectiveDate: "2025-03-03",
      term: "2 years",
      termMonths: 24,
      fees: null,
      autoRenews: false,
      terminationNoticeDays: 30,
    });
  });

  it("returns nulls rather than guesses for a text that is not a contract", () => {
    expect(extractContractFields("Hello, can you look at this?")).toMatchObject({
      parties: [],
      effectiveDate: null,
      term: null,
      fees: null,
      governingLaw: null,
      terminationNoticeDays: null,
    });
  });
});

const pricingRequest = { sku: "MUG-101", currentPrice: 14, question: "Should we change the price?" };

describe("the simulator answers every demo agent", () => {
  const tools = new ToolRegistry(demoTools());
  const agents = new Map<string, AgentDefinition>();
  for (const chain of demoChains()) for (const agent of chain.agents) agents.set(agent.name, agent);

  const inputs: Record<string, string> = {
    triage: "I want a refund for order ORD-1234",
    billing: "Where is my invoice?",
    technical: "My sync failed",
    general: "What are your hours?",
    reviewer: JSON.stringify({
      request: "hi",
      agent: "general",
      reply: { reply: "Hello there, happy to help!", confidence: 0.9, citations: [] },
    }),
    classifier: sampleContracts[0]!.text,
    extractor: JSON.stringify({ input: sampleContracts[1]!.text, outputs: {} }),
    validator: JSON.stringify({ input: "x", outputs: {} }),
    synthesizer: JSON.stringify({ input: "x", outputs: {} }),
    "pricing-lead": "Should we change the price of MUG-101? It sells at $14.",
    market: JSON.stringify({ group: "analysts", topic: "request", key: "stage1", message: pricingRequest, context: {} }),
    "price-history": JSON.stringify({ group: "analysts", topic: "request", key: "stage1", message: pricingRequest, context: {} }),
    demand: JSON.stringify({ group: "analysts", topic: "request", key: "stage1", message: pricingRequest, context: {} }),
    margin: JSON.stringify({ group: "analysts", topic: "signal", key: "stage1", message: pricingRequest, context: { marketPrice: 15 } }),
    recommender: JSON.stringify({ group: "analysts", input: pricingRequest, answer: undefined, outputs: {}, context: {} }),
  };

  it("covers each agent", () => {
    expect([...agents.keys()].sort()).toEqual(Object.keys(inputs).sort());
  });

  it.each(Object.keys(inputs))("%s: a schema-valid answer, the same every time", async (name) => {
    const agent = agents.get(name)!;
    const request = {
      agent,
      tier: agent.modelTier,
      messages: [{ role: "user" as const, content: inputs[name]! }],
      tools: tools.specsFor(agent),
      outputSchema: agent.outputSchema,
    };
    const model = new SimulatorModel({ seed: 3 });
    const first = await model.generate(request);
    const second = await model.generate(request);
    expect({ ...second, latencyMs: 0 }).toEqual({ ...first, latencyMs: 0 });
    expect(first.model).toBe(`simulator/${agent.modelTier}`);
    if (first.toolCalls) {
      expect(first.toolCalls.length).toBeGreaterThan(0);
    } else {
      expect(agent.outputSchema?.safeParse(first.output).success ?? true).toBe(true);
    }
  });
});
