import { handleApiRequest, jsonResponse } from "@/lib/api/respond";
import { inboxQuerySchema, listInbox } from "@/lib/dal/inbox";

export const dynamic = "force-dynamic";

/**
 * The inbox page's live list (react-query polls it): what waits for a person under the URL's
 * filters, plus the open count. listInbox() authorizes (inbox:read): anonymous 401, others 403.
 */
export function GET(req: Request): Promise<Response> {
  return handleApiRequest(
    "GET /api/console/inbox",
    async () => {
      const query = inboxQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
      return jsonResponse(200, await listInbox(query));
    },
    { bearer: false },
  );
}
