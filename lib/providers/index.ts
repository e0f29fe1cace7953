import type { Env } from "@/lib/env";
import type { Model } from "@/lib/runtime";
import { createAiSdkModel, providerConfigFromEnv } from "./ai-sdk";
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
