import { readConversation } from "@/lib/api/conversations";
import { handleApiRequest } from "@/lib/api/respond";

export const dynamic = "force-dynamic";

/** Public API: a conversation's status and transcript, for the key that created it. */
export function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleApiRequest("GET /api/v1/conversations/[id]", async () =>
    readConversation(req, (await ctx.params).id),
  );
}
