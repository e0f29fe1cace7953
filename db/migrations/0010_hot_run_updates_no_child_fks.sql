-- A step's commit inserts its events and spans from the run row it has just updated (lib/runs/pg-run-store.ts),
-- so these keys checked nothing new; each inserted row still fired a trigger and took a WAL-logged lock on the run.
ALTER TABLE "run_events" DROP CONSTRAINT "run_events_run_id_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "spans" DROP CONSTRAINT "spans_run_id_runs_id_fk";
--> statement-breakpoint
-- Every step rewrites its run row. Free space on the row's page lets PostgreSQL keep the new version on the same
-- page (a heap-only update: no entry in any of the table's six indexes, two of them GIN) when no indexed column
-- changes. Applies to pages written from now on.
ALTER TABLE "runs" SET (fillfactor = 60);
