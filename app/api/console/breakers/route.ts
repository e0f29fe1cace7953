import { handleApiRequest, jsonResponse } from "@/lib/api/respond";
import { listBreakers } from "@/lib/dal/breakers";

export const dynamic = "force-dynamic";

/**
 * Live breaker states and recent transitions; the breakers page polls it. Session-authorized in
 * the data layer (breakers:read): anonymous 401, a support lead 403.
 */
export function GET(): Promise<Response> {
  return handleApiRequest(
    "GET /api/console/breakers",
    async () => jsonResponse(200, await listBreakers()),
    {
      bearer: false,
    },
  );
}
