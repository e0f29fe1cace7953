import { addCustomerMessage } from "@/lib/api/conversations";
import { handleApiRequest } from "@/lib/api/respond";

export const dynamic = "force-dynamic";

/** Public API: the customer's next message (Bearer API key; Idempotency-Key honoured). */
export function POST(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleApiRequest("POST /api/v1/conversations/[id]/messages", async () =>
    addCustomerMessage(req, (await ctx.params).id),
  );
}
