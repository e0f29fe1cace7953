import { ProviderError } from "../model";

/**
 * A breaker refused the call: nothing went upstream. Not retryable (the breaker would refuse the
 * retry too); the step moves down its fallback ladder instead.
 */
export class BreakerOpenError extends ProviderError {
  constructor(readonly breakerKey: string) {
    super("server_error", `circuit breaker ${breakerKey} is open`);
  }

  override get retryable(): boolean {
    return false;
  }
}

/** Every attempt the retry policy allowed failed; carries the last attempt's classification. */
export class RetriesExhaustedError extends ProviderError {
  constructor(
    readonly attempts: number,
    readonly last: ProviderError,
  ) {
    super(last.kind, `gave up after ${attempts} attempts: ${last.message}`, {
      retryAfterMs: last.retryAfterMs,
      status: last.details.status,
      cause: last,
    });
  }

  override get retryable(): boolean {
    return false;
  }
}

/** How a failed model turn is classified for the fallback ladder and escalation. */
export type CallFailure = "provider_error" | "retries_exhausted" | "breaker_open";

export function callFailureOf(error: ProviderError): CallFailure {
  if (error instanceof BreakerOpenError) return "breaker_open";
  if (error instanceof RetriesExhaustedError) return "retries_exhausted";
  return "provider_error";
}
