import { createOpenAI } from "@ai-sdk/openai";
import { embed } from "ai";
import { type Embedder, normalise } from "../embedding";
import { classifyProviderError } from "./classify";
import { type AiSdkModelConfig, DEFAULT_OPENAI_EMBEDDING_MODEL, resolveConfig } from "./config";

/** Asked of OpenAI's text-embedding-3 models: enough for short support questions, small rows. */
const OPENAI_DIMENSIONS = 256;

/**
 * An OpenAI (or OpenAI-compatible) embedding model through the AI SDK: one request per text, no
 * SDK retries, aborted after the model timeout, errors classified like model calls.
 */
export function createOpenAiEmbedder(config: AiSdkModelConfig, modelId = DEFAULT_OPENAI_EMBEDDING_MODEL): Embedder {
  const resolved = resolveConfig(config);
  const openai = createOpenAI({ apiKey: resolved.apiKey, baseURL: resolved.baseURL });
  const model = openai.embedding(modelId);
  // Only OpenAI's own v3 models take a dimensions parameter; compatible servers may reject it.
  const dimensions = modelId.startsWith("text-embedding-3") ? { openai: { dimensions: OPENAI_DIMENSIONS } } : undefined;
  return {
    model: `${resolved.provider}/${modelId}`,
    async embed(text, signal) {
      const timeout = AbortSignal.timeout(resolved.timeoutMs);
      try {
        const { embedding } = await embed({
          model,
          value: text,
          maxRetries: 0,
          abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          providerOptions: dimensions,
        });
        return normalise(embedding);
      } catch (error) {
        throw classifyProviderError(error, { secrets: [resolved.apiKey] });
      }
    },
  };
}
