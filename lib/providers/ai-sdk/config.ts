import type { Env } from "@/lib/env";
import { ConfigurationError, type ModelTier } from "@/lib/runtime";

/** The real providers reachable through the AI SDK. */
export type AiSdkProvider = "openai" | "anthropic";

/**
 * How an agent's output schema reaches the model.
 * - `native`: the provider's structured-output feature (OpenAI `response_format: json_schema`,
 *   Anthropic output format), sent in the same call as the tools; the model either calls a tool
 *   or answers with JSON.
 * - `prompt`: when the call also advertises tools, the JSON Schema is described in the system
 *   prompt instead and no response format is sent, because some OpenAI-compatible servers apply
 *   constrained decoding to the whole completion and could then never emit a tool call. Calls
 *   without tools still get the native response format.
 * Either way the runtime validates the answer and makes the one corrective retry itself.
 */
export type StructuredOutputMode = "native" | "prompt";

export interface AiSdkModelConfig {
  readonly provider: AiSdkProvider;
  /** Sent as is; never logged or put into error messages. */
  readonly apiKey?: string;
  /** An OpenAI-compatible endpoint (vLLM, Ollama, LM Studio), or a proxy in front of Anthropic. */
  readonly baseURL?: string;
  /** Concrete model per tier; unset tiers use {@link defaultModels}. */
  readonly models?: Partial<Record<ModelTier, string>>;
  /** Per model call; the call is aborted past it and reported as a `timeout`. */
  readonly timeoutMs: number;
  /** Defaults to `prompt` for an OpenAI-compatible base URL, `native` otherwise. */
  readonly structuredOutput?: StructuredOutputMode;
}

/** Tier → model when SWITCHYARD_MODEL_* is unset. All support tools and structured output. */
export const defaultModels: Readonly<Record<AiSdkProvider, Readonly<Record<ModelTier, string>>>> = {
  openai: { fast: "gpt-4.1-mini", standard: "gpt-4.1", strong: "o3" },
  anthropic: { fast: "claude-haiku-4-5", standard: "claude-sonnet-4-5", strong: "claude-opus-4-5" },
};

/** The embedding model of the response cache with OpenAI when SWITCHYARD_EMBEDDING_MODEL is unset. */
export const DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small";

/** Passed explicitly so the SDK never falls back to reading OPENAI_BASE_URL itself. */
export const defaultBaseURLs: Readonly<Record<AiSdkProvider, string>> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
};

/**
 * Local OpenAI-compatible servers often need no key, but the client always sends an
 * Authorization header; this placeholder is what they receive then.
 */
export const placeholderApiKey = "switchyard-no-key";

/** A config with every default filled in; what the model adapter runs on. */
export interface ResolvedAiSdkConfig {
  readonly provider: AiSdkProvider;
  readonly apiKey: string;
  readonly baseURL: string;
  readonly models: Readonly<Record<ModelTier, string>>;
  readonly timeoutMs: number;
  readonly structuredOutput: StructuredOutputMode;
}

/**
 * Fills in defaults and checks that the provider can authenticate.
 * @throws ConfigurationError when a key is missing (OpenAI without key AND base URL, Anthropic
 *   without key) or the timeout is not a positive number. Messages never contain key values.
 */
export function resolveConfig(config: AiSdkModelConfig): ResolvedAiSdkConfig {
  const apiKey = config.apiKey?.trim() || undefined;
  const baseURL = config.baseURL?.trim() || undefined;
  if (config.provider === "openai" && !apiKey && !baseURL) {
    throw new ConfigurationError(
      "provider openai needs OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible endpoint that needs no key",
    );
  }
  if (config.provider === "anthropic" && !apiKey) {
    throw new ConfigurationError("provider anthropic needs ANTHROPIC_API_KEY");
  }
  if (!Number.isFinite(config.timeoutMs) || config.timeoutMs <= 0) {
    throw new ConfigurationError(`model timeout must be a positive number of ms`);
  }
  const defaults = defaultModels[config.provider];
  return {
    provider: config.provider,
    apiKey: apiKey ?? placeholderApiKey,
    baseURL: baseURL ?? defaultBaseURLs[config.provider],
    models: {
      fast: config.models?.fast ?? defaults.fast,
      standard: config.models?.standard ?? defaults.standard,
      strong: config.models?.strong ?? defaults.strong,
    },
    timeoutMs: config.timeoutMs,
    structuredOutput:
      config.structuredOutput ??
      (config.provider === "openai" && baseURL !== undefined ? "prompt" : "native"),
  };
}

/**
 * The provider configuration SWITCHYARD_PROVIDER selects, or `undefined` for the simulator.
 * @throws ConfigurationError when the chosen provider lacks its key (see {@link resolveConfig}).
 */
export function providerConfigFromEnv(env: Env): AiSdkModelConfig | undefined {
  const models = {
    fast: env.SWITCHYARD_MODEL_FAST,
    standard: env.SWITCHYARD_MODEL_STANDARD,
    strong: env.SWITCHYARD_MODEL_STRONG,
  };
  const timeoutMs = env.SWITCHYARD_MODEL_TIMEOUT_MS;
  let config: AiSdkModelConfig;
  switch (env.SWITCHYARD_PROVIDER) {
    case "sim":
      return undefined;
    case "openai":
      config = {
        provider: "openai",
        apiKey: env.OPENAI_API_KEY,
        baseURL: env.OPENAI_BASE_URL,
        models,
        timeoutMs,
      };
      break;
    case "anthropic":
      config = { provider: "anthropic", apiKey: env.ANTHROPIC_API_KEY, models, timeoutMs };
      break;
  }
  resolveConfig(config); // fail at start-up, not at the first conversation
  return config;
}
