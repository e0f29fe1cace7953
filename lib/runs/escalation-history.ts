import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";

/** Demo history keeps only its last hours' escalations open; older ones were handled back then. */
const OPEN_WINDOW_MS = 12 * 3_600_000;

/**
 * Moves a backfilled run's inbox entries to the run's past time (the commit stamped them with
 * now()), keeping their SLA span. Entries older than the open window are resolved, with their
 * conversation, as a support lead would have done then: the demo inbox then holds the last
 * hours' escalations, not three days of them.
 */
export async function backdateEscalations(
  tx: Database,
  runId: string,
  at: number,
  end: number,
): Promise<void> {
  const handled = end - at > OPEN_WINDOW_MS;
  const settledAt = Math.min(end, at + 20 * 60_000);
  await tx.execute(sql`
    with moved as (
      update escalations set
        created_at = to_timestamp(${at} / 1000.0),
        sla_due_at = to_timestamp(${at} / 1000.0) + (sla_due_at - created_at),
        status = case when ${handled} then 'resolved'::escalation_status else status end,
        resolved_at = case when ${handled} then to_timestamp(${settledAt} / 1000.0) else resolved_at end
      where run_id = ${runId}
      returning conversation_id
    )
    update conversations set status = 'resolved'
    where ${handled} and status = 'escalated' and id in (select conversation_id from moved)`);
}
