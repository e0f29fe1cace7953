import { type z } from "zod";
import { type AgentDefinition, type ModelTier } from "./agent";
import { RuntimeError } from "./errors";
import { type Message, type ToolCall } from "./state";

/** A tool as advertised to the model: the provider turns the zod schema into its own format. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: z.ZodType;
}

/** One model call. Instructions come from `agent`; untrusted text only travels in `messages`. */
export interface ModelRequest {
  readonly agent: AgentDefinition;
  readonly tier: ModelTier;
  readonly messages: readonly Message[];
  readonly tools: readonly ToolSpec[];
  /** Ask the provider for structured output; the runtime validates the result itself anyway. */
  readonly outputSchema?: z.ZodType;
  readonly maxOutputTokens?: number;
  readonly signal?: AbortSignal;
  /** 1 for the first call, 2… for retries of the same request (set by a retrying invoker). */
  readonly attempt?: number;
  /**
   * Work the run can do without (the model router): a failure is answered with a default by the
   * caller, so a retrying invoker must not retry it (and spend an outage's calls on it).
   */
  readonly optional?: boolean;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Part of `inputTokens` the provider read from its prompt cache (priced at the cached rate). */
  readonly cachedInputTokens?: number;
}

/**
 * A model's answer. `output` is deliberately unvalidated (a JSON string or a parsed value): the
 * runtime owns validation so that every provider gets the same corrective-retry behaviour.
 */
export interface ModelResponse {
  readonly text?: string;
  readonly output?: unknown;
  readonly toolCalls?: readonly ToolCall[];
  readonly usage: TokenUsage;
  /** The concrete model that answered, e.g. `gpt-4.1-mini` or `sim-fast`. */
  readonly model: string;
  readonly latencyMs: number;
}

/** The Model port. Implementations live outside the runtime (AI SDK providers, the simulator). */
export interface Model {
  generate(request: ModelRequest): Promise<ModelResponse>;
}

/** How a provider failed; the resilience layer decides retries from this, never from messages. */
export const providerErrorKinds = [
  "rate_limit",
  "server_error",
  "timeout",
  "bad_request",
  "malformed_output",
] as const;
export type ProviderErrorKind = (typeof providerErrorKinds)[number];

/** A classified provider failure. Adapters must translate their SDK's errors into this. */
export class ProviderError extends RuntimeError {
  readonly category = "provider";

  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }

  /** Rate limits, 5xx and timeouts may succeed later; bad requests and malformed output will not. */
  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "server_error" || this.kind === "timeout";
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** Reported by a {@link ModelInvoker} for each retry it performs, so the retry lands in the log. */
export interface RetryNotice {
  readonly attempt: number;
  readonly error: ProviderError;
  readonly delayMs: number;
}

/**
 * The seam for the resilience layer (retries with backoff, breakers, fallbacks, rate limiting).
 * The loop calls the model only through this; the default calls `model.generate` once. A wrapper
 * that retries must call `onRetry` so the run's event log shows every attempt.
 */
export type ModelInvoker = (
  model: Model,
  request: ModelRequest,
  hooks: { onRetry(notice: RetryNotice): void },
) => Promise<ModelResponse>;

export const invokeOnce: ModelInvoker = (model, request) => model.generate(request);
