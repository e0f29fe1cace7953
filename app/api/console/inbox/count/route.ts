import { handleApiRequest, jsonResponse } from "@/lib/api/respond";
import { countOpenEscalations } from "@/lib/dal/inbox";

export const dynamic = "force-dynamic";

/** The navigation badge's count (polled); authorized by countOpenEscalations() (inbox:read). */
export function GET(): Promise<Response> {
  return handleApiRequest(
    "GET /api/console/inbox/count",
    async () => jsonResponse(200, { openCount: await countOpenEscalations() }),
    { bearer: false },
  );
}
