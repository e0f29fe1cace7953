/**
 * Real model providers through the AI SDK (OpenAI, any OpenAI-compatible endpoint, Anthropic),
 * behind the runtime's Model port. See ./README.md for the decisions behind it.
 */
export { classifyProviderError, type ClassifyOptions, redact, retryAfterMs } from "./classify";
export {
  type AiSdkModelConfig,
  type AiSdkProvider,
  DEFAULT_OPENAI_EMBEDDING_MODEL,
  defaultModels,
  providerConfigFromEnv,
  resolveConfig,
  type StructuredOutputMode,
} from "./config";
export { createOpenAiEmbedder } from "./embedding";
export { createAiSdkModel } from "./model";
