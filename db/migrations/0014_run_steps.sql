-- Writers of the old table (a process of the previous version during a rolling deploy) wait for
-- this migration and then fail, so no event can commit between the copy and the drop. Their steps
-- are retried from their checkpoints once the lease runs out.
LOCK TABLE "run_events" IN ACCESS EXCLUSIVE MODE;
--> statement-breakpoint
CREATE TABLE "run_steps" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"events" jsonb NOT NULL,
	CONSTRAINT "run_steps_pkey" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
-- Existing events become one step row each: their commits were not recorded. Readers see them
-- through the view below exactly as before.
INSERT INTO "run_steps" ("run_id", "seq", "events")
SELECT "run_id", "seq", jsonb_build_array("data" || jsonb_build_object('seq', "seq", 'agent', "agent",
  'agentVersion', "agent_version", 'at', (extract(epoch from "at") * 1000)::float8))
FROM "run_events";
--> statement-breakpoint
DROP TABLE "run_events";
--> statement-breakpoint
CREATE VIEW "run_events" AS
SELECT s."run_id", (e.value->>'seq')::int AS "seq", e.value->>'type' AS "type",
  e.value->>'agent' AS "agent", (e.value->>'agentVersion')::int AS "agent_version",
  to_timestamp((e.value->>'at')::float8 / 1000.0) AS "at",
  e.value - 'seq' - 'agent' - 'agentVersion' - 'at' AS "data"
FROM "run_steps" s CROSS JOIN LATERAL jsonb_array_elements(s."events") AS e(value);
