DROP INDEX IF EXISTS "spans_run_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "spans_kind_started_idx";--> statement-breakpoint
CREATE INDEX "spans_kind_started_idx" ON "spans" USING btree ("kind","started_at") WHERE "spans"."kind" not in ('run', 'step');