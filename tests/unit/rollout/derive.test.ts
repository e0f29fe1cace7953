import { describe, expect, it } from "vitest";
import { supportChain } from "@/lib/agents/support-team";
import { ConfigurationError } from "@/lib/runtime";
import { baseAgentOf, deriveAgent, withAgentVersions } from "@/lib/runtime/rollout";

describe("agent versions derived from a code-defined base", () => {
  const base = baseAgentOf(supportChain, "billing")!;

  it("keeps the base's handoffs and schema and takes the edit's instructions, tier, tools and limits", () => {
    const v2 = deriveAgent(base, {
      version: 2,
      instructions: "Be brief.",
      modelTier: "fast",
      tools: ["lookup_order"],
      limits: { maxTurns: 3 },
    });
    expect(v2).toMatchObject({ name: "billing", version: 2, instructions: "Be brief.", modelTier: "fast", tools: ["lookup_order"] });
    expect(v2.handoffs).toEqual(base.handoffs);
    expect(v2.outputSchema).toBe(base.outputSchema);
    expect(v2.limits).toMatchObject({ maxTurns: 3, maxToolCallsPerTurn: base.limits.maxToolCallsPerTurn });
    const chain = withAgentVersions(supportChain, [v2]);
    expect(chain.agents.filter((a) => a.name === "billing").map((a) => a.version)).toEqual([1, 2]);
    expect(chain.entry("hi")).toEqual(supportChain.entry("hi"));
  });

  it("refuses a tool the base does not allow and a version listed twice", () => {
    expect(() =>
      deriveAgent(base, { version: 2, instructions: "x", modelTier: "fast", tools: ["kb_search"], limits: {} }),
    ).toThrow(ConfigurationError);
    const v2 = deriveAgent(base, { version: 2, instructions: "x", modelTier: "fast", tools: [], limits: {} });
    expect(() => withAgentVersions(supportChain, [v2, v2])).toThrow(ConfigurationError);
  });
});

describe("listing more versions", () => {
  it("never changes what a run pins by default", async () => {
    const { pinVersions } = await import("@/lib/runtime/chain");
    const base = baseAgentOf(supportChain, "general")!;
    const v5 = deriveAgent(base, { version: 5, instructions: "x", modelTier: "fast", tools: [], limits: {} });
    const chain = withAgentVersions(supportChain, [v5]);
    expect(pinVersions(chain)).toEqual(pinVersions(supportChain));
    expect(pinVersions(chain, { general: 5 }).general).toBe(5);
  });
});
