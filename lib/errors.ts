/**
 * Error codes shared by server actions and route handlers (STYLE.md). An AppError is an expected
 * outcome with a message safe to show; anything else is a bug, logged with an id and shown as a
 * generic message.
 */
export const errorCodes = [
  "invalid",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "budget_exceeded",
  "breaker_open",
  "internal",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const httpStatus: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  budget_exceeded: 402,
  breaker_open: 503,
  internal: 500,
};
