import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import {
  generateText,
  type LanguageModel,
  type LanguageModelUsage,
  NoOutputGeneratedError,
  Output,
  type SystemModelMessage,
} from "ai";
import type {
  Model,
  ModelRequest,
  ModelResponse,
  ModelTier,
  TokenUsage,
  ToolCall,
} from "@/lib/runtime";
import { ProviderError } from "@/lib/runtime";
import { classifyProviderError } from "./classify";
import { type AiSdkModelConfig, resolveConfig, type ResolvedAiSdkConfig } from "./config";
import {
  parseJsonAnswer,
  systemPrompt,
  toModelMessages,
  toToolCalls,
  toToolSet,
  unvalidatedSchema,
} from "./messages";

/**
 * A runtime {@link Model} backed by the AI SDK: OpenAI (Chat Completions, so that any
 * OpenAI-compatible server works through `baseURL`) or Anthropic (Messages).
 *
 * One `generate` is exactly one HTTP request: `maxRetries: 0` (retries, backoff and Retry-After
 * belong to the runtime's resilience layer, which sees every attempt), a single step (tools have
 * no `execute`, so tool calls come back to the runtime), and an abort after `timeoutMs`.
 * @throws ConfigurationError on a missing key (see `resolveConfig`).
 */
export function createAiSdkModel(config: AiSdkModelConfig): Model {
  return new AiSdkModel(resolveConfig(config));
}

type ModelFactory = (modelId: string) => LanguageModel;

class AiSdkModel implements Model {
  private readonly factory: ModelFactory;
  private readonly cache = new Map<ModelTier, LanguageModel>();

  constructor(private readonly config: ResolvedAiSdkConfig) {
    // apiKey and baseURL are always passed explicitly: otherwise the SDK would read
    // OPENAI_API_KEY / OPENAI_BASE_URL from process.env behind lib/env.ts's back.
    const settings = { apiKey: config.apiKey, baseURL: config.baseURL };
    if (config.provider === "openai") {
      const openai = createOpenAI(settings);
      this.factory = (id) => openai.chat(id);
    } else {
      const anthropic = createAnthropic(settings);
      this.factory = (id) => anthropic.messages(id);
    }
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const modelId = this.config.models[request.tier];
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const started = performance.now();
    try {
      const answer = await this.call(request, signal);
      return { ...answer, model: modelId, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      // The caller cancelled (shutdown, lease lost): not a provider failure, so it escapes
      // unclassified and the run stays at its checkpoint.
      if (request.signal?.aborted) throw error;
      if (timeout.aborted && !(error instanceof ProviderError)) {
        throw new ProviderError(
          "timeout",
          `${modelId} did not answer within ${this.config.timeoutMs} ms`,
          {},
        );
      }
      throw classifyProviderError(error, { secrets: [this.config.apiKey] });
    }
  }

  private async call(
    request: ModelRequest,
    abortSignal: AbortSignal,
  ): Promise<Omit<ModelResponse, "model" | "latencyMs">> {
    const { outputSchema } = request;
    const hasTools = request.tools.length > 0;
    // See StructuredOutputMode: in `prompt` mode a call that may also call tools describes the
    // format in the system prompt instead of constraining the whole completion.
    const native = outputSchema && (this.config.structuredOutput === "native" || !hasTools);
    const result = await generateText({
      model: this.model(request.tier),
      system: cacheableSystem(
        await systemPrompt(request.agent.instructions, native ? undefined : outputSchema),
      ),
      messages: toModelMessages(request.messages),
      tools: hasTools ? toToolSet(request.tools) : undefined,
      ...(native ? { output: Output.object({ schema: unvalidatedSchema(outputSchema) }) } : {}),
      maxOutputTokens: request.maxOutputTokens,
      maxRetries: 0,
      abortSignal,
      providerOptions: {
        // Strict mode rejects schemas with optional or defaulted fields, which agent schemas
        // use freely; the runtime validates every answer anyway.
        openai: { strictJsonSchema: false },
      },
    });
    const usage = usageOf(result.usage);
    const toolCalls: ToolCall[] = toToolCalls(result.toolCalls);
    const text = result.text.length > 0 ? result.text : undefined;
    if (toolCalls.length > 0) return { toolCalls, text, usage };
    if (!outputSchema) return { text, usage };
    if (native) return { output: readOutput(result, result.finishReason), usage };
    const parsed = parseJsonAnswer(text ?? "");
    if (!parsed.ok) {
      throw new ProviderError(
        "malformed_output",
        `output is not valid JSON (${parsed.error.slice(0, 120)})`,
        {},
      );
    }
    return { output: parsed.value, usage };
  }

  private model(tier: ModelTier): LanguageModel {
    let model = this.cache.get(tier);
    if (!model) {
      model = this.factory(this.config.models[tier]);
      this.cache.set(tier, model);
    }
    return model;
  }
}

/**
 * The system prompt leads every request and depends only on the agent's version (customer text
 * never goes there), so it is the stable prefix providers cache. Anthropic caches only what a
 * cache marker ends; the marker on the system message covers the tools before it too. OpenAI
 * caches long prefixes by itself and ignores the Anthropic option.
 */
function cacheableSystem(content: string): SystemModelMessage {
  return {
    role: "system",
    content,
    providerOptions: { anthropic: { cacheControl: { type: "ephemeral" } } },
  };
}

/** The SDK's usage → the runtime's; cached input (OpenAI `cached_tokens`, Anthropic cache reads)
 *  is part of the input count and is priced at the model's cached rate. */
export function usageOf(usage: LanguageModelUsage): TokenUsage {
  const cached = usage.inputTokenDetails.cacheReadTokens ?? 0;
  return {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}

/** The parsed (unvalidated) JSON answer; the SDK has no output when the model said nothing. */
function readOutput(result: { readonly output: unknown }, finishReason: string): unknown {
  try {
    return result.output;
  } catch (error) {
    if (!NoOutputGeneratedError.isInstance(error)) throw error;
    throw new ProviderError(
      "malformed_output",
      `model returned no output (finish: ${finishReason})`,
      {},
    );
  }
}
