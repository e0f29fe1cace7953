import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { supportChain as routedSupportChain, supportTools } from "@/lib/agents/support-team";
import { withoutRouting } from "@/scripts/bench/context/economy";
import { getEnv, resetEnvForTests } from "@/lib/env";
import {
  type AiSdkModelConfig,
  createAiSdkModel,
  providerConfigFromEnv,
} from "@/lib/providers/ai-sdk";
import { type Chain, type Model, ProviderError, type RunEvent, RunLoop, ToolRegistry } from "@/lib/runtime";
import { MemoryRunStore, MemoryToolLedger, sequentialIds } from "@/lib/runtime/testing";
import {
  agentOf,
  type FakeProviderServer,
  reply,
  scriptByAgent,
  startFakeProviderServer,
} from "@/tests/helpers/fake-openai-server";

// These tests are about the provider adapters: the support team without model routing, so each
// scripted request is the agent's own (tests/unit/runtime/model-routing.test.ts covers routing).
const supportChain = withoutRouting(routedSupportChain);

/**
 * The real AI SDK client code path (createOpenAI().chat → fetch → HTTP) against a loopback
 * server speaking the Chat Completions format, driving the demo support team on the runtime.
 */

const agents = supportChain.agents;
const apiKey = "sk-test-loopback-0123456789";
const question = "I cannot sign in, how do I reset my password?";
const answer = {
  reply: "Choose 'Forgot password' on the sign-in page and follow the emailed link.",
  confidence: 0.9,
  citations: ["kb-101"],
};
const models = { fast: "gpt-4.1-mini", standard: "gpt-4.1", strong: "o3" };

let server: FakeProviderServer;

beforeAll(async () => {
  server = await startFakeProviderServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
});

// The fault tests look at one failed call and its escalation; the support team's fallback ladder
// (tests/integration/outage-drill.test.ts) would answer from a lower rung instead.
const withoutLadder: Chain = { ...supportChain, fallback: undefined };

function harness(overrides: Partial<AiSdkModelConfig> = {}, chain: Chain = supportChain) {
  const model = createAiSdkModel({
    provider: "openai",
    apiKey,
    baseURL: server.url,
    models,
    timeoutMs: 5_000,
    structuredOutput: "native",
    ...overrides,
  });
  return runtimeOn(model, chain);
}

function runtimeOn(model: Model, chain: Chain = supportChain) {
  const store = new MemoryRunStore();
  const loop = new RunLoop({
    chains: [chain],
    model,
    store,
    ledger: new MemoryToolLedger(),
    tools: new ToolRegistry(supportTools),
    ids: sequentialIds(),
  });
  return { loop, store };
}

function ofType<T extends RunEvent["type"]>(events: RunEvent[], type: T) {
  return events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type);
}

const handoffToTechnical = reply.toolCall(
  "transfer_to_technical",
  { context: "customer cannot sign in and asks how to reset the password" },
  { input: 120, output: 15 },
);
const searchKb = reply.toolCall(
  "kb_search",
  { query: "reset password" },
  { input: 210, output: 12 },
);
/** The chain's quality reviewer gates every reply; it approves in these scripts. */
const approve = reply.json(
  { approved: true, confidence: 0.95, issues: [] },
  { input: 90, output: 9 },
);

describe("OpenAI Chat Completions through the AI SDK", () => {
  it("runs the support team: handoff, tool call, structured answer", async () => {
    server.respond(
      scriptByAgent(agents, {
        triage: [handoffToTechnical],
        technical: [searchKb, reply.json(answer, { input: 340, output: 42 })],
        reviewer: [approve],
      }),
    );
    const { loop, store } = harness();

    const state = await loop.start("support", question);

    expect(server.unexpected).toEqual([]);
    expect(state.status).toBe("completed");
    expect(state.output).toEqual(answer);
    const events = store.events(state.runId);
    expect(ofType(events, "handoff")).toMatchObject([{ from: "triage", to: "technical" }]);
    const [toolCall] = ofType(events, "tool_call");
    expect(toolCall).toMatchObject({
      tool: "kb_search",
      input: { query: "reset password" },
      replayed: false,
    });
    expect(toolCall?.output).toMatchObject({ ok: true, output: { id: "kb-101" } });
    expect(ofType(events, "llm_call").map((e) => [e.agent, e.model, e.usage, e.finish])).toEqual([
      ["triage", "gpt-4.1-mini", { inputTokens: 120, outputTokens: 15 }, "tool_calls"],
      ["technical", "gpt-4.1", { inputTokens: 210, outputTokens: 12 }, "tool_calls"],
      ["technical", "gpt-4.1", { inputTokens: 340, outputTokens: 42 }, "output"],
      ["reviewer", "gpt-4.1-mini", { inputTokens: 90, outputTokens: 9 }, "output"],
    ]);
    expect(state.usage).toEqual({ inputTokens: 760, outputTokens: 78 });
    expect(ofType(events, "completed")).toMatchObject([{ output: answer, partial: false }]);

    // What went over the wire.
    const [triageCall, searchCall, answerCall] = server.requests;
    expect(triageCall?.model).toBe("gpt-4.1-mini");
    expect(triageCall?.headers.authorization).toBe(`Bearer ${apiKey}`);
    // Only the agent's instructions are system text; the customer's words are a user message.
    expect(triageCall?.system).toBe(agents.find((a) => a.name === "triage")?.instructions);
    expect(triageCall?.body.messages).toContainEqual({ role: "user", content: question });
    expect(triageCall?.tools).toEqual([
      "transfer_to_billing",
      "transfer_to_technical",
      "transfer_to_general",
    ]);
    expect(triageCall?.body.response_format).toBeUndefined(); // triage answers in text
    expect(searchCall?.model).toBe("gpt-4.1");
    expect(searchCall?.tools).toEqual(["kb_search", "transfer_to_general"]);
    // Native mode: the answer format travels with the tools in the same call, non-strict.
    expect(searchCall?.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: {
        strict: false,
        schema: { properties: { reply: {}, confidence: {}, citations: {} } },
      },
    });
    const kbTool = (searchCall?.body.tools as Array<{ function: { parameters: unknown } }>)[0];
    expect(kbTool?.function.parameters).toMatchObject({
      properties: { query: { type: "string" } },
    });
    // The tool result went back as a tool message tied to the model's call id.
    const wire = answerCall?.body.messages as Array<Record<string, unknown>>;
    const assistant = wire.find((m) => m.role === "assistant");
    const toolMessage = wire.find((m) => m.role === "tool");
    expect(assistant?.tool_calls).toMatchObject([{ function: { name: "kb_search" } }]);
    expect(toolMessage?.tool_call_id).toBe((assistant?.tool_calls as Array<{ id: string }>)[0]?.id);
    expect(String(toolMessage?.content)).toContain("kb-101");
    for (const request of server.requests) expect(request.body.stream).toBeFalsy();
  });

  it("hands invalid and hallucinated tool calls to the runtime, which refuses them", async () => {
    server.respond(
      scriptByAgent(agents, {
        triage: [handoffToTechnical],
        technical: [
          {
            kind: "message",
            toolCalls: [
              { name: "kb_search", args: { query: 42 } },
              { name: "delete_account", args: { customerId: "c-42" } }, // hallucinated
            ],
          },
          reply.json(answer),
        ],
        reviewer: [approve],
      }),
    );
    const { loop, store } = harness();

    const state = await loop.start("support", question);

    expect(state.status).toBe("completed");
    const events = store.events(state.runId);
    expect(ofType(events, "tool_refused")).toMatchObject([
      { tool: "kb_search", reason: "invalid_arguments", input: { query: 42 } },
      { tool: "delete_account", reason: "unknown_tool", input: { customerId: "c-42" } },
    ]);
    expect(ofType(events, "tool_call")).toEqual([]);
  });
});

describe("provider faults surface as classified errors in the run", () => {
  it("429 with Retry-After: rate_limit with retryAfterMs, then escalation", async () => {
    server.enqueue(reply.rateLimited("7"));
    const { loop, store } = harness({}, withoutLadder);

    const state = await loop.start("support", question);

    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("provider_error");
    const [call] = ofType(store.events(state.runId), "llm_call");
    expect(call).toMatchObject({
      finish: "error",
      model: null,
      error: { kind: "rate_limit", retryAfterMs: 7_000 },
    });
    expect(call?.error?.message).toContain("429");
    expect(server.requests).toHaveLength(1); // maxRetries 0: retrying is the runtime's job
  });

  it("500: server_error, then escalation", async () => {
    server.enqueue(reply.serverError(500));
    const { loop, store } = harness({}, withoutLadder);

    const state = await loop.start("support", question);

    expect(state.status).toBe("escalated");
    expect(ofType(store.events(state.runId), "llm_call")).toMatchObject([
      { finish: "error", error: { kind: "server_error" } },
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it("a hang past timeoutMs: timeout, then escalation", async () => {
    server.enqueue(reply.hang());
    const { loop, store } = harness({ timeoutMs: 300 }, withoutLadder);

    const started = Date.now();
    const state = await loop.start("support", question);

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(state.status).toBe("escalated");
    const [call] = ofType(store.events(state.runId), "llm_call");
    expect(call).toMatchObject({ finish: "error", error: { kind: "timeout" } });
    expect(call?.error?.message).toBe("gpt-4.1-mini did not answer within 300 ms");
    expect(call?.latencyMs).toBeGreaterThanOrEqual(250);
  });

  it("a caller's abort is not a provider error: it escapes unclassified", async () => {
    server.enqueue(reply.hang());
    const model = createAiSdkModel({
      provider: "openai",
      apiKey,
      baseURL: server.url,
      timeoutMs: 5_000,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("worker shutting down")), 100);

    const call = model.generate({
      agent: agents[0]!,
      tier: "fast",
      messages: [{ role: "user", content: question }],
      tools: [],
      signal: controller.signal,
    });

    const error: unknown = await call.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(String(error)).toContain("worker shutting down");
  });

  it("a 200 with a malformed JSON body: malformed_output, corrective retry succeeds", async () => {
    server.enqueue(reply.malformedBody());
    server.respond(
      scriptByAgent(agents, {
        triage: [handoffToTechnical],
        technical: [reply.json(answer)],
        reviewer: [approve],
      }),
    );
    const { loop, store } = harness();

    const state = await loop.start("support", question);

    expect(state.status).toBe("completed");
    expect(state.output).toEqual(answer);
    const events = store.events(state.runId);
    expect(ofType(events, "llm_call").map((e) => [e.agent, e.attempt, e.error?.kind])).toEqual([
      ["triage", 1, "malformed_output"],
      ["triage", 2, undefined],
      ["technical", 1, undefined],
      ["reviewer", 1, undefined],
    ]);
    expect(ofType(events, "validation_failed")).toMatchObject([{ agent: "triage", attempt: 1 }]);
    expect(ofType(events, "retry")).toMatchObject([
      { agent: "triage", reason: "validation", attempt: 2 },
    ]);
  });

  it("content that is not JSON for a structured answer: malformed_output, corrective retry", async () => {
    server.respond(
      scriptByAgent(agents, {
        triage: [handoffToTechnical],
        technical: [reply.notJson(), reply.json(answer)],
        reviewer: [approve],
      }),
    );
    const { loop, store } = harness();

    const state = await loop.start("support", question);

    expect(state.status).toBe("completed");
    expect(state.output).toEqual(answer);
    const events = store.events(state.runId);
    const technicalCalls = ofType(events, "llm_call").filter((e) => e.agent === "technical");
    expect(technicalCalls.map((e) => e.error?.kind)).toEqual(["malformed_output", undefined]);
    expect(technicalCalls[0]?.error?.message).toMatch(/not valid JSON/);
    expect(ofType(events, "validation_failed")).toMatchObject([{ agent: "technical" }]);
    // The corrective call carries the runtime's correction prompt as the last user message.
    const technicalRequests = server.requests.filter((r) => agentOf(r, agents) === "technical");
    const corrective = technicalRequests.at(-1)?.body.messages as Array<{
      role: string;
      content: unknown;
    }>;
    expect(corrective.at(-1)).toMatchObject({ role: "user" });
    expect(String(corrective.at(-1)?.content)).toContain(
      "did not match the required output schema",
    );
  });

  it("valid JSON that violates the schema reaches the runtime's validation unvalidated", async () => {
    server.respond(
      scriptByAgent(agents, {
        triage: [handoffToTechnical],
        technical: [reply.json({ reply: "", confidence: 3 }), reply.json(answer)],
        reviewer: [approve],
      }),
    );
    const { loop, store } = harness();

    const state = await loop.start("support", question);

    expect(state.status).toBe("completed");
    const [failed] = ofType(store.events(state.runId), "validation_failed");
    expect(failed?.issues.join("\n")).toMatch(/confidence/);
    expect(ofType(store.events(state.runId), "llm_call").every((e) => e.error === undefined)).toBe(
      true,
    );
  });
});

describe("SWITCHYARD_PROVIDER=openai with OPENAI_BASE_URL", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetEnvForTests();
  });

  it("runs the same demo team through the real client against the configured endpoint", async () => {
    vi.stubEnv("SWITCHYARD_PROVIDER", "openai");
    vi.stubEnv("OPENAI_BASE_URL", server.url);
    vi.stubEnv("OPENAI_API_KEY", undefined);
    vi.stubEnv("SWITCHYARD_MODEL_FAST", undefined);
    vi.stubEnv("SWITCHYARD_MODEL_STANDARD", "qwen2.5-7b-instruct");
    vi.stubEnv("SWITCHYARD_MODEL_TIMEOUT_MS", "5000");
    resetEnvForTests();
    const config = providerConfigFromEnv(getEnv()); // parsed by lib/env.ts's own schema
    expect(config).toMatchObject({ provider: "openai", baseURL: server.url, timeoutMs: 5_000 });
    server.respond(
      scriptByAgent(agents, {
        triage: [handoffToTechnical],
        technical: [searchKb, reply.text("```json\n" + JSON.stringify(answer) + "\n```")],
        reviewer: [approve],
      }),
    );
    const { loop } = runtimeOn(createAiSdkModel(config!));

    const state = await loop.start("support", question);

    expect(server.unexpected).toEqual([]);
    expect(state.status).toBe("completed");
    expect(state.output).toEqual(answer);
    expect(server.requests.map((r) => [agentOf(r, agents), r.model])).toEqual([
      ["triage", "gpt-4.1-mini"], // tier default
      ["technical", "qwen2.5-7b-instruct"], // SWITCHYARD_MODEL_STANDARD
      ["technical", "qwen2.5-7b-instruct"],
      ["reviewer", "gpt-4.1-mini"],
    ]);
    // A local endpoint without a key gets a placeholder, never another variable's value.
    expect(server.requests[0]?.headers.authorization).toBe("Bearer switchyard-no-key");
    // Compatible endpoint → `prompt` mode: with tools, the format is described, not enforced.
    const technical = server.requests[1]!;
    expect(technical.body.response_format).toBeUndefined();
    expect(technical.system).toContain('"confidence"');
  });
});
