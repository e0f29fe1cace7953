import { createConversation } from "@/lib/api/conversations";
import { handleApiRequest } from "@/lib/api/respond";

export const dynamic = "force-dynamic";

/** Public API: start a conversation (Bearer API key; Idempotency-Key honoured). */
export function POST(req: Request): Promise<Response> {
  return handleApiRequest("POST /api/v1/conversations", () => createConversation(req));
}
