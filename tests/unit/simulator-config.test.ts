import { describe, expect, it } from "vitest";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { createSimulatorModel, SimulatorModel } from "@/lib/providers/simulator";
import {
  defaultSimulatorConfig,
  MAX_FAULT_RULES,
  simulatorConfigSchema,
  type SimulatorConfigInput,
} from "@/lib/providers/simulator/config";
import { inverseNormal, sampleLatency } from "@/lib/providers/simulator/faults";
import { ToolRegistry } from "@/lib/runtime";

const issuesOf = (input: SimulatorConfigInput) => {
  const parsed = simulatorConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("simulator config validation", () => {
  it("defaults to no faults, median 150 ms and p95 600 ms", () => {
    expect(defaultSimulatorConfig()).toEqual({
      seed: 0,
      latency: { medianMs: 150, p95Ms: 600, maxMs: 5_000 },
      timeoutMs: 2_000,
      faults: [],
    });
  });

  it("accepts a full, sensible config", () => {
    expect(
      issuesOf({
        seed: 42,
        latency: { medianMs: 200, p95Ms: 900, maxMs: 3_000 },
        faults: [{ target: { agent: "billing", tier: "standard" }, rates: { rate_limit: 0.3, timeout: 0.7 }, retryAfterMs: 500 }],
      }),
    ).toEqual([]);
  });

  it.each<[string, SimulatorConfigInput, RegExp]>([
    ["a rate above 100%", { faults: [{ rates: { rate_limit: 1.5 } }] }, /^faults\.0\.rates\.rate_limit: At most 100%/],
    ["a negative rate", { faults: [{ rates: { timeout: -0.1 } }] }, /^faults\.0\.rates\.timeout: At least 0%/],
    ["rates adding up to more than 100%", { faults: [{ rates: { rate_limit: 0.6, server_error: 0.5 } }] }, /^faults\.0\.rates: The rates of one rule add up/],
    ["p95 below the median", { latency: { medianMs: 500, p95Ms: 100, maxMs: 1_000 } }, /^latency\.p95Ms: p95 cannot be below/],
    ["a maximum below p95", { latency: { medianMs: 100, p95Ms: 500, maxMs: 200 } }, /^latency\.maxMs: The maximum cannot be below p95/],
    ["latency beyond 60 s", { latency: { medianMs: 100, p95Ms: 500, maxMs: 60_001 } }, /^latency\.maxMs: At most 60000 ms/],
    ["a fractional latency", { latency: { medianMs: 100.5, p95Ms: 500, maxMs: 1_000 } }, /^latency\.medianMs: Whole milliseconds/],
    ["a timeout beyond 60 s", { timeoutMs: 120_000 }, /^timeoutMs: At most 60000 ms/],
    ["a negative seed", { seed: -1 }, /^seed: At least 0/],
    ["an unknown tier", { faults: [{ target: { tier: "huge" as "fast" } }] }, /^faults\.0\.target\.tier:/],
    ["a malformed agent name", { faults: [{ target: { agent: "Robert'); drop table" } }] }, /^faults\.0\.target\.agent:/],
    ["too many rules", { faults: Array.from({ length: MAX_FAULT_RULES + 1 }, () => ({})) }, /^faults: At most 20 rules/],
  ])("rejects %s", (_what, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.join("\n")).toMatch(expected);
  });

  it("tolerates floating-point sums of exactly 100%", () => {
    // 0.33 + 0.56 + 0.11 is 1.0000000000000002 in floating point.
    expect(issuesOf({ faults: [{ rates: { rate_limit: 0.33, server_error: 0.56, timeout: 0.11 } }] })).toEqual([]);
  });
});

describe("simulator latency", () => {
  const latency = { medianMs: 150, p95Ms: 600, maxMs: 5_000 };
  const draws = (n: number) => Array.from({ length: n }, (_, i) => (i + 0.5) / n);
  const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

  it("has the configured median and p95 and stays within [0, max]", () => {
    const samples = draws(4_000).map((u) => sampleLatency(latency, u)).sort((a, b) => a - b);
    expect(samples[0]).toBeGreaterThanOrEqual(0);
    expect(samples.at(-1)).toBeLessThanOrEqual(5_000);
    expect(Math.abs(quantile(samples, 0.5) - 150)).toBeLessThanOrEqual(5);
    expect(Math.abs(quantile(samples, 0.95) - 600)).toBeLessThanOrEqual(20);
  });

  it("clamps the long tail at the maximum", () => {
    const samples = draws(1_000).map((u) => sampleLatency({ medianMs: 150, p95Ms: 600, maxMs: 400 }, u));
    expect(Math.max(...samples)).toBe(400);
    expect(samples.filter((s) => s === 400).length).toBeGreaterThan(50);
  });

  it("is constant when median and p95 agree, and zero when the median is zero", () => {
    expect(new Set(draws(50).map((u) => sampleLatency({ medianMs: 80, p95Ms: 80, maxMs: 80 }, u)))).toEqual(new Set([80]));
    expect(sampleLatency({ medianMs: 0, p95Ms: 0, maxMs: 0 }, 0.99)).toBe(0);
  });

  it("uses an accurate normal quantile", () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormal(0.95)).toBeCloseTo(1.6448536, 6);
    expect(inverseNormal(0.01)).toBeCloseTo(-2.3263479, 6);
  });

  it("waits the sampled latency and reports it, across calls of one config", async () => {
    const m = createSimulatorModel(() => simulatorConfigSchema.parse({ latency: { medianMs: 40, p95Ms: 40, maxMs: 40 } }));
    const technical = supportChain.agents.find((a) => a.name === "technical")!;
    const response = await m.generate({
      agent: technical,
      tier: technical.modelTier,
      messages: [{ role: "user", content: "the app crashes" }],
      tools: new ToolRegistry(supportTools).specsFor(technical),
      outputSchema: technical.outputSchema,
    });
    expect(response.latencyMs).toBeGreaterThanOrEqual(35);
    expect(response.latencyMs).toBeLessThan(1_000);
  });

  it("maps the older {min, max} option onto the distribution's bounds", async () => {
    const m = new SimulatorModel({ latencyMs: { min: 10, max: 30 } });
    const general = supportChain.agents.find((a) => a.name === "general")!;
    const started = Date.now();
    await m.generate({ agent: general, tier: "fast", messages: [{ role: "user", content: "hi" }], tools: [], outputSchema: general.outputSchema });
    expect(Date.now() - started).toBeLessThan(500);
  });
});
