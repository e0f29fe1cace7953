import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { supportChain as routedSupportChain, supportTools } from "@/lib/agents/support-team";
import { withoutRouting } from "@/scripts/bench/context/economy";
import { createAiSdkModel, defaultModels } from "@/lib/providers/ai-sdk";
import { type Chain, type RunEvent, RunLoop, ToolRegistry } from "@/lib/runtime";
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

/** The real Anthropic client (Messages API) against the loopback server's /v1/messages. */

const agents = supportChain.agents;
const apiKey = "sk-ant-test-0123456789";
const question = "I cannot sign in, how do I reset my password?";
const answer = {
  reply: "Use 'Forgot password' on the sign-in page.",
  confidence: 0.8,
  citations: ["kb-101"],
};

let server: FakeProviderServer;

beforeAll(async () => {
  server = await startFakeProviderServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
});

// Fault classification is checked on one failed call and its escalation; with the support team's
// fallback ladder the general agent would take over instead (tests/integration/outage-drill.test.ts).
const withoutLadder: Chain = { ...supportChain, fallback: undefined };

function harness(chain: Chain = supportChain) {
  const model = createAiSdkModel({
    provider: "anthropic",
    apiKey,
    baseURL: server.url,
    timeoutMs: 5_000,
  });
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

describe("Anthropic Messages through the AI SDK", () => {
  it("runs the support team with the default Claude models", async () => {
    server.respond(
      scriptByAgent(agents, {
        triage: [
          reply.toolCall(
            "transfer_to_technical",
            { context: "password reset" },
            { input: 50, output: 5 },
          ),
        ],
        technical: [reply.toolCall("kb_search", { query: "reset password" }), reply.json(answer)],
        reviewer: [reply.json({ approved: true, confidence: 0.9, issues: [] })],
      }),
    );
    const { loop, store } = harness();

    const state = await loop.start("support", question);

    expect(server.unexpected).toEqual([]);
    expect(state.status).toBe("completed");
    expect(state.output).toEqual(answer);
    const events = store.events(state.runId);
    expect(ofType(events, "tool_call")).toMatchObject([
      { tool: "kb_search", output: { ok: true } },
    ]);
    expect(ofType(events, "llm_call")[0]).toMatchObject({
      agent: "triage",
      model: defaultModels.anthropic.fast,
      usage: { inputTokens: 50, outputTokens: 5 },
    });
    expect(server.requests.map((r) => [r.format, agentOf(r, agents), r.model])).toEqual([
      ["anthropic", "triage", defaultModels.anthropic.fast],
      ["anthropic", "technical", defaultModels.anthropic.standard],
      ["anthropic", "technical", defaultModels.anthropic.standard],
      ["anthropic", "reviewer", defaultModels.anthropic.fast],
    ]);
    const [triage, search, final] = server.requests;
    expect(triage?.headers["x-api-key"]).toBe(apiKey);
    expect(triage?.system).toBe(agents.find((a) => a.name === "triage")?.instructions);
    expect(triage?.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: question }] },
    ]);
    expect(search?.tools).toEqual(["kb_search", "transfer_to_general"]);
    // Native structured output in the same call as the tools; the model picks one or the other.
    expect(search?.body.output_config).toMatchObject({ format: { type: "json_schema" } });
    expect(search?.body.tool_choice).toEqual({ type: "auto" });
    // The tool result goes back in a user turn as a tool_result block tied to the call id.
    const wire = final?.body.messages as Array<{
      role: string;
      content: Array<Record<string, unknown>>;
    }>;
    const toolUse = wire.flatMap((m) => m.content).find((part) => part.type === "tool_use");
    const toolResult = wire.flatMap((m) => m.content).find((part) => part.type === "tool_result");
    expect(toolResult?.tool_use_id).toBe(toolUse?.id);
    expect(JSON.stringify(toolResult?.content)).toContain("kb-101");
  });

  it("classifies 529 overloaded as server_error and 429 with Retry-After as rate_limit", async () => {
    server.enqueue({
      kind: "error",
      status: 529,
      body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    });
    const first = harness(withoutLadder);
    const overloaded = await first.loop.start("support", question);
    expect(overloaded.status).toBe("escalated");
    expect(ofType(first.store.events(overloaded.runId), "llm_call")).toMatchObject([
      { error: { kind: "server_error" } },
    ]);

    server.enqueue({
      kind: "error",
      status: 429,
      headers: { "retry-after": "20" },
      body: { type: "error", error: { type: "rate_limit_error", message: "Too many requests" } },
    });
    const second = harness(withoutLadder);
    const limited = await second.loop.start("support", question);
    expect(ofType(second.store.events(limited.runId), "llm_call")).toMatchObject([
      { error: { kind: "rate_limit", retryAfterMs: 20_000 } },
    ]);
  });
});
