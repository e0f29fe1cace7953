DROP INDEX IF EXISTS "run_events_agent_at_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "spans_agent_started_idx";--> statement-breakpoint
CREATE INDEX "spans_agent_started_idx" ON "spans" USING btree ("agent","started_at") WHERE "spans"."agent" is not null;