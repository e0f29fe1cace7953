import { createHash } from "node:crypto";
import { type Model, type ModelRequest, type ModelResponse, ProviderError } from "@/lib/runtime";
import { correctionPrompt } from "@/lib/runtime/validation";
import { decide } from "./behaviours";
import {
  defaultSimulatorConfig,
  instantSimulatorConfig,
  type SimulatorConfig,
  type SimulatorConfigSource,
  simulatorConfigSchema,
} from "./config";
import {
  type CallKey,
  chooseFault,
  disallowedToolCall,
  malformedJson,
  sampleLatency,
  schemaViolation,
  uniform,
} from "./faults";

export type { SimulatorConfig, SimulatorConfigSource } from "./config";
export { defaultSimulatorConfig, instantSimulatorConfig, simulatorConfigSchema } from "./config";

/** @deprecated Pass a {@link SimulatorConfigSource}; kept for callers that predate the settings. */
export interface SimulatorOptions {
  seed?: number;
  /** Mapped onto the log-normal distribution: median between the bounds, p95 and max at `max`. */
  latencyMs?: { min: number; max: number };
}

/**
 * The built-in model SIMULATOR: not a language model. It answers the demo teams' agents with
 * deterministic, schema-valid output chosen by keyword rules (./behaviours.ts), so that
 * Switchyard runs and demonstrates itself with no provider key. Every response names its model
 * `simulator/<tier>`, which is what traces and the console show.
 *
 * Latency and injected faults come from a config SOURCE read on every call, so a change in
 * Settings applies to running traffic. For one seed, agent and message list (and one config) the
 * simulator makes the same choice every time: latency, fault and answer all derive from a hash.
 */
export class SimulatorModel implements Model {
  private readonly source: SimulatorConfigSource;

  /** With no argument: no latency, no faults (what tests want). */
  constructor(source: SimulatorConfigSource | SimulatorOptions = {}) {
    if (typeof source === "function") {
      this.source = source;
    } else {
      const fixed = fromOptions(source);
      this.source = () => fixed;
    }
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const started = Date.now();
    const config = this.source();
    const messages = JSON.stringify(request.messages);
    const key: CallKey = { seed: config.seed, agent: request.agent.name, messages, attempt: request.attempt };
    const digest = answerDigest(key);
    const latency = sampleLatency(config.latency, uniform(key, "latency"));
    const fault = chooseFault(config, key, { tier: request.tier, structured: request.outputSchema !== undefined });
    const model = `simulator/${request.tier}`;

    if (fault?.kind === "rate_limit") {
      await sleep(Math.round(latency / 5), request.signal);
      throw new ProviderError("rate_limit", `${model}: 429 Too Many Requests (simulated)`, {
        status: 429,
        retryAfterMs: fault.retryAfterMs,
      });
    }
    if (fault?.kind === "server_error") {
      const status = uniform(key, "status") < 0.5 ? 500 : 503;
      await sleep(Math.round(latency / 5), request.signal);
      throw new ProviderError("server_error", `${model}: ${status} from the provider (simulated)`, { status });
    }
    if (fault?.kind === "timeout") {
      await sleep(config.timeoutMs, request.signal);
      throw new ProviderError("timeout", `${model}: no answer within ${config.timeoutMs} ms (simulated)`);
    }

    if (latency > 0) await sleep(latency, request.signal);
    const decision = decide(withoutCorrection(request), digest);
    const answer = "output" in decision ? decision.output : undefined;
    let result: Pick<ModelResponse, "output" | "toolCalls">;
    if (fault?.kind === "malformed_json") {
      result = { output: malformedJson(answer ?? exampleReply, uniform(key, "truncate")) };
    } else if (fault?.kind === "schema_violation") {
      result = { output: schemaViolation(answer ?? exampleReply) };
    } else if (fault?.kind === "disallowed_tool") {
      const offered = request.tools.map((t) => t.name);
      result = { toolCalls: [disallowedToolCall(offered, uniform(key, "tool"), `call_${digest.toString(36)}`)] };
    } else {
      result = "output" in decision ? { output: decision.output } : { toolCalls: decision.toolCalls };
    }
    const inputTokens = estimateTokens(request.agent.instructions) + estimateTokens(messages);
    const outputTokens = estimateTokens(JSON.stringify(result) ?? "");
    return { ...result, usage: { inputTokens, outputTokens }, model, latencyMs: Date.now() - started };
  }
}

/** A simulator reading its config from `source` on every call (default: the shipped defaults). */
export function createSimulatorModel(source?: SimulatorConfigSource): SimulatorModel {
  if (source) return new SimulatorModel(source);
  const defaults = defaultSimulatorConfig();
  return new SimulatorModel(() => defaults);
}

const exampleReply = { reply: "Thanks for reaching out.", confidence: 0.8, citations: [] };

function fromOptions(options: SimulatorOptions): SimulatorConfig {
  const seed = options.seed ?? 0;
  if (!options.latencyMs) return instantSimulatorConfig(seed);
  const min = Math.max(0, options.latencyMs.min);
  const max = Math.max(min, options.latencyMs.max);
  return simulatorConfigSchema.parse({
    seed,
    latency: { medianMs: Math.round((min + max) / 2), p95Ms: max, maxMs: max },
  });
}

const correctionLead = correctionPrompt([]).split("\n")[0]!;

/**
 * A corrected model answers the original question again. The runtime's corrective retry appends
 * the broken answer and a correction prompt; the keyword rules must not mistake that prompt for
 * the customer's words, so they see the conversation as it was before the broken answer.
 */
function withoutCorrection(request: ModelRequest): ModelRequest {
  const last = request.messages.at(-1);
  if (last?.role !== "user" || !last.content.startsWith(correctionLead)) return request;
  let end = request.messages.length - 1;
  const echo = request.messages[end - 1];
  if (echo?.role === "assistant" && !echo.toolCalls?.length) end--;
  return { ...request, messages: request.messages.slice(0, end) };
}

const estimateTokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

/** The digest behaviours.ts varies its answers and call ids with (unchanged from before faults). */
function answerDigest(key: CallKey): number {
  return createHash("sha256").update(`${key.seed}|${key.agent}|${key.messages}`).digest().readUInt32BE(0);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    if (signal?.aborted) abort();
    else signal?.addEventListener("abort", abort, { once: true });
  });
}
