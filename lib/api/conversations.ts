import "server-only";
import type { z } from "zod";
import { db, type Database } from "@/db";
import {
  getConversationView,
  postCustomerMessage,
  startConversation,
  type ConversationStatus,
} from "@/lib/runs/conversations";
import { authenticateApiRequest } from "./auth";
import { readJsonBody } from "./body";
import { parseIdempotencyKey, requestHash, withIdempotency, type ApiResult } from "./idempotency";
import { ApiError, jsonResponse } from "./respond";
import { describeIssues, postMessageBodySchema, startConversationBodySchema } from "./schemas";

/**
 * The public conversation API behind app/api/v1 (DESIGN.md contract). Order matters: who is
 * calling (401), then the Idempotency-Key header and body (400/413), and only then any write, so
 * a refused request changes nothing and stores no idempotent result.
 */

// Ids are opaque to callers; anything that cannot be one is simply not found (no format hints).
const conversationIdPattern = /^[A-Za-z0-9_-]{1,100}$/;

function notFound(): ApiError {
  return new ApiError("not_found", "No such conversation.");
}

async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new ApiError("invalid", describeIssues(parsed.error));
  return parsed.data;
}

async function idempotent(
  req: Request,
  scope: { apiKeyId: string; key: string | null },
  body: unknown,
  work: (handle: Database) => Promise<ApiResult>,
): Promise<Response> {
  const { apiKeyId, key } = scope;
  const hash = requestHash(req.method, new URL(req.url).pathname, body);
  const result = await withIdempotency({ apiKeyId, key, requestHash: hash }, work);
  return jsonResponse(result.status, result.body, result.replayed ? { "Idempotent-Replayed": "true" } : {});
}

/** POST /api/v1/conversations → 201 {id, status, traceId} */
export async function createConversation(req: Request): Promise<Response> {
  const { apiKeyId } = await authenticateApiRequest(req);
  const key = parseIdempotencyKey(req.headers.get("idempotency-key"));
  const body = await parseBody(req, startConversationBodySchema);
  return idempotent(req, { apiKeyId, key }, body, async (handle) => {
    const started = await startConversation(handle, {
      message: body.message,
      customerId: body.customerId,
      metadata: body.metadata,
      apiKeyId,
    });
    return { status: 201, body: { id: started.id, status: started.status, traceId: started.traceId } };
  });
}

/** POST /api/v1/conversations/{id}/messages → 202 {id, status} */
export async function addCustomerMessage(req: Request, conversationId: string): Promise<Response> {
  const { apiKeyId } = await authenticateApiRequest(req);
  const key = parseIdempotencyKey(req.headers.get("idempotency-key"));
  const body = await parseBody(req, postMessageBodySchema);
  if (!conversationIdPattern.test(conversationId)) throw notFound();
  return idempotent(req, { apiKeyId, key }, body, async (handle) => {
    const posted = await postCustomerMessage(handle, conversationId, body.message, { apiKeyId });
    return { status: 202, body: { id: posted.id, status: posted.status } };
  });
}

export interface PublicConversation {
  id: string;
  status: ConversationStatus;
  messages: { role: "customer" | "agent" | "human"; agent?: string; content: string; createdAt: string }[];
  traceId: string;
}

/** GET /api/v1/conversations/{id} → 200 {id, status, messages, traceId}; another key's → 404 */
export async function readConversation(req: Request, conversationId: string): Promise<Response> {
  const { apiKeyId } = await authenticateApiRequest(req);
  if (!conversationIdPattern.test(conversationId)) throw notFound();
  const view = await getConversationView(db(), conversationId, { apiKeyId });
  if (!view) throw notFound();
  // Built field by field so nothing internal the service adds to its view leaks to the public.
  const body: PublicConversation = {
    id: view.id,
    status: view.status,
    messages: view.messages.map((m) => ({
      role: m.role,
      ...(m.agent ? { agent: m.agent } : {}),
      content: m.content,
      createdAt: m.createdAt,
    })),
    traceId: view.traceId,
  };
  return jsonResponse(200, body);
}
