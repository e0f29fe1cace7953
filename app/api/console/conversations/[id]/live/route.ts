import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import { getConversationDetail } from "@/lib/dal/conversations";
import { AppError } from "@/lib/errors";
import { handleApiRequest, jsonResponse } from "@/lib/api/respond";
import { liveQuerySchema, toLiveView } from "./live-view";

export const dynamic = "force-dynamic";

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/);

/**
 * Console live view of one conversation (the playground polls it while a run unfolds): status,
 * transcript and the run steps after `?afterRun=…&afterSeq=…`. Session-authorized here, not by
 * middleware: anonymous 401, a role without conversations:read 403, an unknown id 404.
 */
export function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const route = "GET /api/console/conversations/[id]/live";
  return handleApiRequest(
    route,
    async () => {
      const actor = await authorize("conversations:read");
      const id = idSchema.safeParse((await ctx.params).id);
      if (!id.success) throw new AppError("not_found", "No such conversation.");
      const query = liveQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
      if (!query.success)
        throw new AppError("invalid", query.error.issues[0]?.message ?? "Invalid cursor.");
      const detail = await getConversationDetail(id.data);
      if (!detail) throw new AppError("not_found", "No such conversation.");
      const { afterRun, afterSeq } = query.data;
      const cursor =
        afterRun !== undefined && afterSeq !== undefined
          ? { runId: afterRun, seq: afterSeq }
          : null;
      return jsonResponse(200, toLiveView(detail, cursor, actor));
    },
    { bearer: false },
  );
}
