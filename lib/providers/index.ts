import type { Env } from "@/lib/env";
import type { Model, ModelTier } from "@/lib/runtime";
import { createAiSdkModel, providerConfigFromEnv, resolveConfig } from "./ai-sdk";
import { createSimulatorModel } from "./simulator";
import type { SimulatorConfigSource } from "./simulator/config";

/**
 * The model the tiers map to in this process (SWITCHYARD_PROVIDER): an AI SDK provider, or the
 * labelled simulator (the default, so everything runs with no key), whose settings come from the
 * `source` so that a change in the console reaches running traffic.
 */
export function createModel(env: Env, simulatorSource?: SimulatorConfigSource): Model {
  const config = providerConfigFromEnv(env);
  return config ? createAiSdkModel(config) : createSimulatorModel(simulatorSource);
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
