import { AppError, httpStatus, type ErrorCode } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";

/**
 * An expected public-API failure whose HTTP status differs from the code's default in
 * lib/errors.ts (413 for a body that is too large, 422 for a reused Idempotency-Key).
 */
export class ApiError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number = httpStatus[code],
  ) {
    super(code, message);
    this.name = "ApiError";
  }
}

const noStore = { "Cache-Control": "no-store" };

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return Response.json(body, { status, headers: { ...noStore, ...headers } });
}

/** The public API's one error shape: `{"error": {"code", "message"}}`. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  status: number = httpStatus[code],
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { error: { code, message } }, headers);
}

/**
 * Runs a route handler body: expected failures (AppError) become their error response, anything
 * else is logged under an id and answered with a 500 that quotes only that id. `bearer: false`
 * for the console's session-authorized routes, whose 401 must not ask for a Bearer token.
 */
export async function handleApiRequest(
  route: string,
  run: () => Promise<Response>,
  { bearer = true }: { bearer?: boolean } = {},
): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError) {
      const status = error instanceof ApiError ? error.status : httpStatus[error.code];
      // RFC 6750: a 401 names the scheme the client should use.
      const headers: Record<string, string> =
        bearer && error.code === "unauthorized"
          ? { "WWW-Authenticate": 'Bearer realm="switchyard"' }
          : {};
      return errorResponse(error.code, error.message, status, headers);
    }
    const errorId = logUnexpected(error, { route });
    return errorResponse("internal", `Something went wrong (error ${errorId}).`, 500, {
      "X-Error-Id": errorId,
    });
  }
}
