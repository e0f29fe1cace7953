import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { log } from "@/lib/log";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { replayConversation } from "./replay";

const MAX_ATTEMPTS = 3;

/**
 * Runs queued replays as batch work: one at a time, and only while no live run is waiting for a
 * worker (the same rule as evaluation). Claimed with SKIP LOCKED and a visibility timeout, so a
 * process that dies mid-replay lets another one pick it up; a replay has no side effects to repeat.
 */
export class Replayer {
  constructor(
    private readonly db: Database,
    private readonly parts: RuntimeParts,
  ) {}

  async drain(limit = 5): Promise<number> {
    let done = 0;
    while (done < limit) {
      const [job] = await queryRows<{ id: string; conversation_id: string; agent: string; candidate_version: number; attempts: number }>(
        this.db,
        sql`update replays set attempts = attempts + 1, available_at = now() + interval '5 minutes'
          where id = (
            select id from replays
            where status = 'queued' and available_at <= now()
              and not exists (select 1 from runs where status = 'running' and priority = 0
                and available_at <= now() and (lease_expires_at is null or lease_expires_at < now()))
            order by created_at
            limit 1
            for update skip locked)
          returning id, conversation_id, agent, candidate_version, attempts`,
      );
      if (!job) break;
      await this.process(job);
      done++;
    }
    return done;
  }

  private async process(job: { id: string; conversation_id: string; agent: string; candidate_version: number; attempts: number }) {
    try {
      const result = await replayConversation(this.db, this.parts, {
        conversationId: job.conversation_id,
        agent: job.agent,
        candidateVersion: job.candidate_version,
      });
      await this.db
        .update(schema.replays)
        .set({ status: "done", result, finishedAt: sql`now()` })
        .where(eq(schema.replays.id, job.id));
    } catch (error) {
      log("warn", "replay failed", { replayId: job.id, error: String(error) });
      const failed = job.attempts >= MAX_ATTEMPTS;
      await this.db
        .update(schema.replays)
        .set(
          failed
            ? { status: "failed", error: "The replay could not run; see the server log.", finishedAt: sql`now()` }
            : { availableAt: sql`now() + interval '10 seconds'` },
        )
        .where(eq(schema.replays.id, job.id));
    }
  }
}
