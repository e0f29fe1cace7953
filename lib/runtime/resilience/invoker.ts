import {
  type Model,
  type ModelInvoker,
  type ModelRequest,
  type ModelResponse,
  ProviderError,
} from "../model";
import { type Clock } from "../ports";
import { type BreakerStore, type CallPriority, type RateLimiter } from "./ports";
import { BreakerOpenError, RetriesExhaustedError } from "./errors";
import { defaultRetryPolicy, retryDecision, type RetryPolicy } from "./retry";

export interface ResilienceOptions {
  readonly clock: Clock;
  readonly breakers?: BreakerStore;
  /** Breakers a call must pass, e.g. `agent:billing` and `model:simulator/standard`. */
  readonly breakerKeys?: (request: ModelRequest) => readonly string[];
  readonly retry?: Partial<RetryPolicy>;
  /** The central rate limiter every attempt waits on (after the breakers let it through). */
  readonly limiter?: RateLimiter;
  /** What the limiter counts a call against; default `model:<tier>`. */
  readonly limitKey?: (request: ModelRequest) => string;
  /** Live conversations are served before batch work when the limiter queues. */
  readonly priority?: CallPriority;
  /** Injected so tests are exact; default: a timer that stops on the request's abort signal. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/** `agent:<name>` and `model:<tier>`; apps with several providers name the concrete model. */
export const defaultBreakerKeys = (request: ModelRequest): string[] => [
  `agent:${request.agent.name}`,
  `model:${request.tier}`,
];

/**
 * The resilience layer around a model call, composed like resilience4j's recommended order
 * Retry(CircuitBreaker(call)): every attempt passes the breakers and reports its outcome to them,
 * an open breaker ends the attempts at once (BreakerOpenError), and retryable failures are retried
 * with backoff until the policy gives up (RetriesExhaustedError). Each retry is reported through
 * `hooks.onRetry` so it lands in the run's event log; the request carries its attempt number.
 */
export function resilientInvoker(options: ResilienceOptions): ModelInvoker {
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  return async (model, request, hooks) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await guardedCall(options, model, { ...request, attempt });
      } catch (error) {
        if (request.optional) throw error;
        const decision = retryDecision(policy, error, attempt, random);
        if (!decision.retry) {
          if (decision.exhausted && error instanceof ProviderError)
            throw new RetriesExhaustedError(attempt, error);
          throw error;
        }
        hooks.onRetry({
          attempt: attempt + 1,
          error: error as ProviderError,
          delayMs: decision.delayMs,
        });
        await sleep(decision.delayMs, request.signal);
      }
    }
  };
}

interface Permit {
  readonly key: string;
  readonly probe: boolean;
}

async function guardedCall(
  options: ResilienceOptions,
  model: Model,
  request: ModelRequest,
): Promise<ModelResponse> {
  const store = options.breakers;
  if (!store) return limited(options, () => model.generate(request), request);
  const { clock } = options;
  const permits: Permit[] = [];
  for (const key of (options.breakerKeys ?? defaultBreakerKeys)(request)) {
    const { decision } = await store.apply(key, { type: "acquire" }, clock.now());
    if (decision === "reject") {
      // A probe permit taken from an earlier breaker goes back, or that breaker would wait for
      // its probe to time out before it could recover.
      await Promise.all(
        permits
          .filter((p) => p.probe)
          .map((p) => store.apply(p.key, { type: "cancel" }, clock.now())),
      );
      throw new BreakerOpenError(key);
    }
    permits.push({ key, probe: decision === "probe" });
  }
  const report = (type: "success" | "failure" | "cancel") =>
    Promise.all(
      // Only a probe holds anything to give back; a plain cancel would free another caller's.
      permits
        .filter((p) => type !== "cancel" || p.probe)
        .map((p) =>
          store.apply(p.key, type === "cancel" ? { type } : { type, probe: p.probe }, clock.now()),
        ),
    );
  let response: ModelResponse;
  try {
    response = await limited(options, () => model.generate(request), request);
  } catch (error) {
    await report(outcomeOf(error));
    throw error;
  }
  await report("success");
  return response;
}

/** Waits for the limiter's slot (if any), makes the call and reports its real token usage. */
async function limited(
  options: ResilienceOptions,
  call: () => Promise<ModelResponse>,
  request: ModelRequest,
): Promise<ModelResponse> {
  const { limiter } = options;
  if (!limiter) return call();
  const key = options.limitKey?.(request) ?? `model:${request.tier}`;
  const slot = await limiter.acquire(key, {
    priority: options.priority ?? "live",
    estimatedTokens: estimateTokens(request),
    signal: request.signal,
  });
  const response = await call();
  // A failed correction leaves the estimate charged, which the window forgets within a minute;
  // throwing would discard an answer already paid for and make the caller buy it again.
  await slot.settle(response.usage.inputTokens + response.usage.outputTokens).catch(() => undefined);
  return response;
}

/** Charged up front: about four characters a token, plus the answer's allowance. */
export function estimateTokens(request: ModelRequest): number {
  let chars = request.agent.instructions.length;
  for (const m of request.messages) chars += (m.content ?? "").length;
  return Math.ceil(chars / 4) + (request.maxOutputTokens ?? 1_024);
}

/**
 * Rate limits, 5xx and timeouts are the provider failing. A bad request or malformed output means
 * it answered, so the breaker counts a success; anything else (an abort, a crash) says nothing
 * about the provider and only returns the permit.
 */
function outcomeOf(error: unknown): "success" | "failure" | "cancel" {
  if (!(error instanceof ProviderError)) return "cancel";
  return error.retryable ? "failure" : "success";
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted)
      return reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
