import { describe, expect, it } from "vitest";
import { replySchema, supportChain, supportTools } from "@/lib/agents/support-team";
import { createSimulatorModel, SimulatorModel } from "@/lib/providers/simulator";
import {
  type FaultKind,
  faultKinds,
  instantSimulatorConfig,
  type SimulatorConfig,
  simulatorConfigSchema,
  type SimulatorConfigInput,
} from "@/lib/providers/simulator/config";
import { type ModelRequest, ProviderError, ToolRegistry } from "@/lib/runtime";
import { checkOutput } from "@/lib/runtime/validation";

const registry = new ToolRegistry(supportTools);
const agent = (name: string) => {
  const found = supportChain.agents.find((a) => a.name === name);
  if (!found) throw new Error(`no agent ${name}`);
  return found;
};

function request(agentName: string, text: string, signal?: AbortSignal): ModelRequest {
  const a = agent(agentName);
  return {
    agent: a,
    tier: a.modelTier,
    messages: [{ role: "user", content: text }],
    tools: registry.specsFor(a),
    outputSchema: a.outputSchema,
    signal,
  };
}

/** Instant latency; faults and seed as given. */
function config(input: Omit<SimulatorConfigInput, "latency"> = {}): SimulatorConfig {
  return simulatorConfigSchema.parse({ ...input, latency: { medianMs: 0, p95Ms: 0, maxMs: 0 } });
}
const onlyRate = (kind: FaultKind, rate: number, target: { agent?: string; tier?: "fast" | "standard" | "strong" } = {}) => ({
  target,
  rates: { [kind]: rate },
});
const model = (c: SimulatorConfig) => createSimulatorModel(() => c);

/** What a call did, without its wall-clock latency. */
async function outcome(m: SimulatorModel, req: ModelRequest): Promise<unknown> {
  try {
    const { latencyMs: _l, ...rest } = await m.generate(req);
    return rest;
  } catch (error) {
    if (error instanceof ProviderError) return { error: error.kind, details: error.details };
    throw error;
  }
}

const inputs = (n: number) => Array.from({ length: n }, (_, i) => `My sync fails with error ${i} on the desktop app`);

describe("the simulator is deterministic", () => {
  const faulty = { faults: [{ rates: { rate_limit: 0.2, server_error: 0.2, malformed_json: 0.2, disallowed_tool: 0.2 } }] };

  it("answers the same seed, agent and messages identically, faults included", async () => {
    const a = model(config({ seed: 7, ...faulty }));
    const b = model(config({ seed: 7, ...faulty }));
    for (const text of inputs(40)) {
      for (const name of ["technical", "billing", "triage"]) {
        expect(await outcome(b, request(name, text))).toEqual(await outcome(a, request(name, text)));
      }
    }
  });

  it("makes different choices under a different seed", async () => {
    const a = model(config({ seed: 1, ...faulty }));
    const b = model(config({ seed: 2, ...faulty }));
    let differing = 0;
    for (const text of inputs(40)) {
      if (JSON.stringify(await outcome(a, request("technical", text))) !== JSON.stringify(await outcome(b, request("technical", text)))) differing++;
    }
    expect(differing).toBeGreaterThan(5);
  });

  it("draws faults from the seed: another seed faults other calls", async () => {
    const pattern = async (seed: number) => {
      const m = model(config({ seed, faults: [onlyRate("rate_limit", 0.5)] }));
      const hits: boolean[] = [];
      for (const text of inputs(60)) hits.push(await m.generate(request("technical", text)).then(() => false, () => true));
      return hits;
    };
    const [a, again, b] = [await pattern(1), await pattern(1), await pattern(2)];
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it("reads its config source on every call, so a change applies at once", async () => {
    let current = config();
    const m = createSimulatorModel(() => current);
    const req = request("technical", "the app crashes");
    await expect(m.generate(req)).resolves.toMatchObject({ model: "simulator/standard" });
    current = config({ faults: [onlyRate("rate_limit", 1)] });
    await expect(m.generate(req)).rejects.toMatchObject({ kind: "rate_limit" });
  });
});

describe("each fault kind", () => {
  it("rate_limit: a 429 ProviderError with the rule's Retry-After", async () => {
    const m = model(config({ faults: [{ ...onlyRate("rate_limit", 1), retryAfterMs: 1234 }] }));
    const error = await m.generate(request("technical", "help")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: "rate_limit", retryable: true, retryAfterMs: 1234, details: { status: 429, retryAfterMs: 1234 } });
  });

  it("server_error: a 500 or 503 ProviderError, both occurring", async () => {
    const m = model(config({ faults: [onlyRate("server_error", 1)] }));
    const statuses = new Set<number | undefined>();
    for (const text of inputs(30)) {
      const error = await m.generate(request("general", text)).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: "server_error" });
      statuses.add((error as ProviderError).details.status);
    }
    expect([...statuses].sort()).toEqual([500, 503]);
  });

  it("timeout: waits timeoutMs, then a timeout ProviderError; an abort cuts the wait short", async () => {
    const m = model(config({ timeoutMs: 120, faults: [onlyRate("timeout", 1)] }));
    const started = Date.now();
    await expect(m.generate(request("general", "hello"))).rejects.toMatchObject({ kind: "timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);

    const slow = model(config({ timeoutMs: 10_000, faults: [onlyRate("timeout", 1)] }));
    const controller = new AbortController();
    const aborted = new Error("run cancelled");
    setTimeout(() => controller.abort(aborted), 30);
    const t0 = Date.now();
    await expect(slow.generate(request("general", "hello", controller.signal))).rejects.toBe(aborted);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("malformed_json: a broken JSON string the runtime's validation rejects", async () => {
    const m = model(config({ faults: [onlyRate("malformed_json", 1)] }));
    for (const text of inputs(20)) {
      const response = await m.generate(request("general", text));
      expect(response.model).toBe("simulator/fast");
      expect(typeof response.output).toBe("string");
      expect(() => JSON.parse(response.output as string) as unknown).toThrow();
      expect(checkOutput(agent("general"), response)).toMatchObject({ ok: false, issues: ["output is not valid JSON"] });
    }
  });

  it("schema_violation: JSON that parses but misses the required reply", async () => {
    const m = model(config({ faults: [onlyRate("schema_violation", 1)] }));
    const response = await m.generate(request("general", "hello"));
    expect(replySchema.safeParse(response.output).success).toBe(false);
    const check = checkOutput(agent("general"), response);
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.issues.join(" ")).toMatch(/^reply:/);
  });

  it("disallowed_tool: a call to a tool the request did not offer, refused by the registry", async () => {
    const m = model(config({ faults: [onlyRate("disallowed_tool", 1)] }));
    for (const name of ["triage", "billing", "technical", "general"]) {
      const req = request(name, "Please refund $20 on ORD-1234");
      const response = await m.generate(req);
      const [call] = response.toolCalls ?? [];
      expect(call).toBeDefined();
      expect(req.tools.map((t) => t.name)).not.toContain(call!.name);
      expect(registry.review(agent(name), call!).ok).toBe(false);
      expect(response.model).toBe(`simulator/${req.tier}`);
    }
  });

  it("leaves text-answering agents alone for output faults (garbage would pass as their answer)", async () => {
    const m = model(config({ faults: [{ rates: { malformed_json: 0.5, schema_violation: 0.5 } }] }));
    for (const text of inputs(20)) {
      expect((await m.generate(request("triage", text))).toolCalls?.[0]?.name).toMatch(/^transfer_to_/);
    }
  });
});

describe("fault rates and targets", () => {
  it("a rate of 0.3 over 1,000 distinct inputs faults 30% ± 4 points", async () => {
    const m = model(config({ seed: 11, faults: [onlyRate("server_error", 0.3)] }));
    let faulted = 0;
    for (const text of inputs(1000)) {
      if ((await outcome(m, request("technical", text)) as { error?: string }).error === "server_error") faulted++;
    }
    expect(faulted).toBeGreaterThanOrEqual(260);
    expect(faulted).toBeLessThanOrEqual(340);
  });

  it("lays several kinds end to end, each at its own rate", async () => {
    const m = model(config({ seed: 3, faults: [{ rates: { rate_limit: 0.2, server_error: 0.1, disallowed_tool: 0.3 } }] }));
    const counts: Record<string, number> = {};
    for (const text of inputs(1000)) {
      const o = (await outcome(m, request("technical", text))) as { error?: string; toolCalls?: { name: string }[] };
      const kind = o.error ?? (o.toolCalls?.[0]?.name === "kb_search" ? "ok" : "tool");
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    expect(counts.rate_limit).toBeGreaterThan(160);
    expect(counts.rate_limit).toBeLessThan(240);
    expect(counts.server_error).toBeGreaterThan(70);
    expect(counts.server_error).toBeLessThan(130);
    expect(counts.tool).toBeGreaterThan(260);
    expect(counts.tool).toBeLessThan(340);
  });

  it("targets an agent: only that agent's calls fault", async () => {
    const m = model(config({ faults: [onlyRate("rate_limit", 1, { agent: "billing" })] }));
    await expect(m.generate(request("billing", "invoice"))).rejects.toMatchObject({ kind: "rate_limit" });
    await expect(m.generate(request("technical", "invoice"))).resolves.toMatchObject({ model: "simulator/standard" });
  });

  it("targets a tier: only calls on that tier fault", async () => {
    const m = model(config({ faults: [onlyRate("rate_limit", 1, { tier: "fast" })] }));
    await expect(m.generate(request("triage", "hi"))).rejects.toMatchObject({ kind: "rate_limit" });
    await expect(m.generate(request("general", "hi"))).rejects.toMatchObject({ kind: "rate_limit" });
    await expect(m.generate(request("billing", "hi"))).resolves.toMatchObject({ model: "simulator/standard" });
  });

  it("applies the first matching rule only", async () => {
    const m = model(config({ faults: [onlyRate("rate_limit", 0, { agent: "billing" }), onlyRate("rate_limit", 1)] }));
    await expect(m.generate(request("billing", "hi"))).resolves.toMatchObject({ model: "simulator/standard" });
    await expect(m.generate(request("general", "hi"))).rejects.toMatchObject({ kind: "rate_limit" });
  });

  it("injects nothing by default", async () => {
    const m = new SimulatorModel();
    for (const text of inputs(50)) {
      await expect(m.generate(request("technical", text))).resolves.toMatchObject({ model: "simulator/standard" });
    }
    expect(instantSimulatorConfig().faults).toEqual([]);
  });

  it("covers every kind in the fault list", () => {
    expect(faultKinds).toEqual(["rate_limit", "server_error", "timeout", "malformed_json", "schema_violation", "disallowed_tool"]);
  });
});

describe("attempt-aware fault draws", () => {
  const half = config({ faults: [onlyRate("server_error", 0.5)] });
  const failed = async (text: string, attempt?: number) =>
    (await outcome(model(half), { ...request("general", text), attempt })) as { error?: string };

  it("draws a retry's fault afresh, so a retried request can succeed, and stays deterministic", async () => {
    const texts = Array.from({ length: 80 }, (_, i) => `question number ${i}`);
    const firstFailures: string[] = [];
    for (const text of texts) if ((await failed(text)).error) firstFailures.push(text);
    expect(firstFailures.length).toBeGreaterThan(20);
    const retried = await Promise.all(firstFailures.map((t) => failed(t, 2)));
    const recovered = retried.filter((r) => !r.error).length;
    // Independent draws at 50%: some retries succeed and some fail again.
    expect(recovered).toBeGreaterThan(0);
    expect(recovered).toBeLessThan(firstFailures.length);
    // The same attempt of the same request always draws the same way.
    expect(await Promise.all(firstFailures.map((t) => failed(t, 2)))).toEqual(retried);
    // Attempt 1 (or none) hashes as before attempts existed.
    expect((await failed(firstFailures[0]!, 1)).error).toBe("server_error");
  });
});
