import { sql } from "drizzle-orm";
import { db } from "@/db";
import { logUnexpected } from "@/lib/log";

export const dynamic = "force-dynamic";

/** Liveness and database reachability, for load balancers and `docker healthcheck`-style probes. */
export async function GET() {
  try {
    await db().execute(sql`select 1`);
    return Response.json({ status: "ok", database: "ok" });
  } catch (error) {
    logUnexpected(error, { route: "/api/health" });
    return Response.json({ status: "error", database: "unreachable" }, { status: 503 });
  }
}
