import { db } from "@/db";
import { errorResponse } from "@/lib/api/respond";
import { getEnv } from "@/lib/env";
import { logUnexpected } from "@/lib/log";
import { mayScrape } from "@/lib/prometheus/access";
import { collectMetrics } from "@/lib/prometheus/metrics";
import { PROMETHEUS_CONTENT_TYPE } from "@/lib/prometheus/text-format";

export const dynamic = "force-dynamic";

/**
 * Prometheus scrape endpoint (DESIGN.md contract: `GET /api/metrics` -> text format).
 *
 * Access: when SWITCHYARD_METRICS_TOKEN is set, only `Authorization: Bearer <token>` gets in
 * (anything else, a console session included, is a 401). When it is unset the endpoint is open,
 * like a `/metrics` port usually is: it exposes aggregate counts only (per-agent call, error,
 * token and cost totals, latency buckets, runs, queue depth and conversations by status) and no
 * customer data, ids or text. Set the token wherever the app is reachable from outside.
 */
export async function GET(req: Request): Promise<Response> {
  if (!mayScrape(req.headers.get("authorization"), getEnv().SWITCHYARD_METRICS_TOKEN)) {
    return errorResponse("unauthorized", "A valid metrics bearer token is required.", 401, {
      "WWW-Authenticate": 'Bearer realm="switchyard-metrics"',
    });
  }
  try {
    const body = await collectMetrics(db());
    return new Response(body, { headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" } });
  } catch (error) {
    const errorId = logUnexpected(error, { route: "/api/metrics" });
    // A scraper records a failed scrape as `up == 0`; the body only quotes the error id.
    return new Response(`# metrics unavailable (error ${errorId})\n`, {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Error-Id": errorId },
    });
  }
}
