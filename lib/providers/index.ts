import type { Env } from "@/lib/env";
import type { Model, ModelTier } from "@/lib/runtime";
import { DEFAULT_OPENAI_EMBEDDING_MODEL, providerConfigFromEnv, resolveConfig } from "./ai-sdk/config";
import type { Embedder } from "./embedding";
import { lazyEmbedder, lazyModel } from "./lazy";
import { createSimulatorModel } from "./simulator";
import type { SimulatorConfigSource } from "./simulator/config";
import { simulatorEmbedder } from "./simulator/embedding";

/**
 * The model the tiers map to in this process (SWITCHYARD_PROVIDER): an AI SDK provider, or the
 * labelled simulator (the default, so everything runs with no key), whose settings come from the
 * `source` so that a change in the console reaches running traffic.
 */
export function createModel(env: Env, simulatorSource?: SimulatorConfigSource): Model {
  const config = providerConfigFromEnv(env);
  if (!config) return createSimulatorModel(simulatorSource);
  // A missing key still fails here, at start-up, not at the first call.
  resolveConfig(config);
  return lazyModel(async () => (await import("./ai-sdk/model")).createAiSdkModel(config));
}

/** The concrete model of each tier in this process, which prices a call before it is made. */
export function tierModels(env: Env): Readonly<Record<ModelTier, string>> {
  const config = providerConfigFromEnv(env);
  if (!config) return { fast: "simulator/fast", standard: "simulator/standard", strong: "simulator/strong" };
  return resolveConfig(config).models;
}

/**
 * The concrete model a tier maps to in this process, as `<provider>/<model>` (`simulator/fast`,
 * `openai/gpt-4.1-mini`): what model breakers and rate limits are keyed by.
 */
export function modelIdsFromEnv(env: Env): (tier: ModelTier) => string {
  const config = providerConfigFromEnv(env);
  if (!config) return (tier) => `simulator/${tier}`;
  const { provider, models } = resolveConfig(config);
  return (tier) => `${provider}/${models[tier]}`;
}

/**
 * The embedding model of the semantic response cache: the provider's with OpenAI (or a
 * compatible server, SWITCHYARD_EMBEDDING_MODEL), otherwise the simulator's labelled bag of words,
 * also with Anthropic, which offers no embedding API.
 */
export function createEmbedder(env: Env): Embedder {
  const config = providerConfigFromEnv(env);
  if (config?.provider !== "openai") return simulatorEmbedder;
  const modelId = env.SWITCHYARD_EMBEDDING_MODEL ?? DEFAULT_OPENAI_EMBEDDING_MODEL;
  const { provider } = resolveConfig(config);
  return lazyEmbedder(
    `${provider}/${modelId}`,
    async () => (await import("./ai-sdk/embedding")).createOpenAiEmbedder(config, modelId),
  );
}
