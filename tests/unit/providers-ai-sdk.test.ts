import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Env } from "@/lib/env";
import { defaultModels, providerConfigFromEnv, resolveConfig } from "@/lib/providers/ai-sdk";
import {
  parseJsonAnswer,
  systemPrompt,
  toModelMessages,
  toToolSet,
} from "@/lib/providers/ai-sdk/messages";
import { ConfigurationError, type Message } from "@/lib/runtime";

function env(overrides: Partial<Env>): Env {
  return {
    PGLITE_DATA_DIR: "memory://",
    DATABASE_POOL_MAX: 10,
    DATA_DIR: ".data",
    SWITCHYARD_PROVIDER: "sim",
    SWITCHYARD_MODEL_TIMEOUT_MS: 60_000,
    SWITCHYARD_DEMO_TRAFFIC: "auto",
    SWITCHYARD_WORKER_CONCURRENCY: 16,
    PORT: 3000,
    NODE_ENV: "test",
    ...overrides,
  };
}

describe("message mapping", () => {
  it("maps the runtime history without a system message, merging consecutive tool results", () => {
    const history: Message[] = [
      { role: "user", content: "Where is order A-1?" },
      {
        role: "assistant",
        content: "Let me check.",
        toolCalls: [
          { id: "c1", name: "lookup_order", args: { orderId: "A-1" } },
          { id: "c2", name: "kb_search", args: { query: "shipping" } },
        ],
      },
      { role: "tool", callId: "c1", name: "lookup_order", content: '{"ok":true}' },
      { role: "tool", callId: "c2", name: "kb_search", content: '{"ok":false,"error":"x"}' },
      { role: "assistant", content: "" },
      { role: "user", content: "Thanks" },
    ];

    expect(toModelMessages(history)).toEqual([
      { role: "user", content: "Where is order A-1?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me check." },
          {
            type: "tool-call",
            toolCallId: "c1",
            toolName: "lookup_order",
            input: { orderId: "A-1" },
          },
          {
            type: "tool-call",
            toolCallId: "c2",
            toolName: "kb_search",
            input: { query: "shipping" },
          },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "c1",
            toolName: "lookup_order",
            output: { type: "text", value: '{"ok":true}' },
          },
          {
            type: "tool-result",
            toolCallId: "c2",
            toolName: "kb_search",
            output: { type: "text", value: '{"ok":false,"error":"x"}' },
          },
        ],
      },
      { role: "user", content: "Thanks" },
    ]);
  });

  it("advertises tools with their zod schema and no execute (the runtime executes)", () => {
    const parameters = z.object({ query: z.string() });
    const tools = toToolSet([{ name: "kb_search", description: "Search.", parameters }]);
    expect(Object.keys(tools)).toEqual(["kb_search"]);
    expect(tools.kb_search?.description).toBe("Search.");
    expect(tools.kb_search?.inputSchema).toBe(parameters);
    expect(tools.kb_search?.execute).toBeUndefined();
  });

  it("keeps the system prompt to the instructions, plus the schema in prompt mode", async () => {
    expect(await systemPrompt("Be brief.", undefined)).toBe("Be brief.");
    const prompt = await systemPrompt("Be brief.", z.object({ reply: z.string() }));
    expect(prompt.startsWith("Be brief.\n")).toBe(true);
    expect(prompt).toContain('"reply":{"type":"string"}');
  });

  it.each([
    ['{"a":1}', { a: 1 }],
    ['```json\n{"a":1}\n```', { a: 1 }],
    ["```\n[1,2]\n```", [1, 2]],
  ])("parses %j", (text, value) => {
    expect(parseJsonAnswer(text)).toEqual({ ok: true, value });
  });

  it("reports unparsable answers", () => {
    expect(parseJsonAnswer("Sure! {reply:").ok).toBe(false);
  });
});

describe("provider configuration", () => {
  it("fills in the tier defaults per provider", () => {
    const openai = resolveConfig({ provider: "openai", apiKey: "sk-x", timeoutMs: 1_000 });
    expect(openai.models).toEqual(defaultModels.openai);
    expect(openai.baseURL).toBe("https://api.openai.com/v1");
    expect(openai.structuredOutput).toBe("native");
    const anthropic = resolveConfig({
      provider: "anthropic",
      apiKey: "sk-ant-x",
      models: { fast: "claude-3-5-haiku-latest", strong: "claude-opus-4-1" },
      timeoutMs: 1_000,
    });
    expect(anthropic.models).toEqual({
      fast: "claude-3-5-haiku-latest",
      standard: defaultModels.anthropic.standard,
      strong: "claude-opus-4-1",
    });
    expect(defaultModels.anthropic.fast).toMatch(/^claude-haiku/);
    expect(anthropic.baseURL).toBe("https://api.anthropic.com/v1");
  });

  it("needs no key for an OpenAI-compatible base URL, and describes the format in the prompt there", () => {
    const local = resolveConfig({
      provider: "openai",
      baseURL: "http://127.0.0.1:11434/v1",
      timeoutMs: 1_000,
    });
    expect(local.apiKey).toBe("switchyard-no-key");
    expect(local.structuredOutput).toBe("prompt");
  });

  it.each([
    [{ provider: "openai" as const, timeoutMs: 1_000 }, /OPENAI_API_KEY/],
    [{ provider: "openai" as const, apiKey: "  ", timeoutMs: 1_000 }, /OPENAI_API_KEY/],
    [
      { provider: "anthropic" as const, baseURL: "http://127.0.0.1:1/v1", timeoutMs: 1_000 },
      /ANTHROPIC_API_KEY/,
    ],
    [{ provider: "openai" as const, apiKey: "sk-x", timeoutMs: 0 }, /timeout/],
  ])("rejects %j", (config, message) => {
    expect(() => resolveConfig(config)).toThrow(ConfigurationError);
    expect(() => resolveConfig(config)).toThrow(message);
  });

  it("builds the config from the parsed environment", () => {
    expect(providerConfigFromEnv(env({}))).toBeUndefined();
    expect(
      providerConfigFromEnv(
        env({
          SWITCHYARD_PROVIDER: "openai",
          OPENAI_API_KEY: "sk-live-123456789",
          SWITCHYARD_MODEL_STRONG: "o4-mini",
          SWITCHYARD_MODEL_TIMEOUT_MS: 20_000,
        }),
      ),
    ).toMatchObject({
      provider: "openai",
      apiKey: "sk-live-123456789",
      models: { strong: "o4-mini" },
      timeoutMs: 20_000,
    });
    expect(
      providerConfigFromEnv(
        env({ SWITCHYARD_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "sk-ant-1" }),
      ),
    ).toMatchObject({ provider: "anthropic", apiKey: "sk-ant-1", timeoutMs: 60_000 });
  });

  it("fails at configuration time when the chosen provider has no key, naming no values", () => {
    const openaiKeyForAnthropic = env({
      SWITCHYARD_PROVIDER: "anthropic",
      OPENAI_API_KEY: "sk-secret-999999",
    });
    expect(() => providerConfigFromEnv(openaiKeyForAnthropic)).toThrow(ConfigurationError);
    try {
      providerConfigFromEnv(openaiKeyForAnthropic);
    } catch (error) {
      expect(String(error)).not.toContain("sk-secret");
    }
    expect(() => providerConfigFromEnv(env({ SWITCHYARD_PROVIDER: "openai" }))).toThrow(
      /OPENAI_BASE_URL/,
    );
  });
});
