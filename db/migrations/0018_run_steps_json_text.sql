-- The log keeps the runtime's text, key order included, so a replay of a step (lib/runtime/log-replay)
-- quotes tool outcomes and answers exactly as the step did. Rows written before keep jsonb's order:
-- their runs stored a checkpoint at every step and never need a replay. Rewrites the table once.
DROP VIEW "run_events";
--> statement-breakpoint
ALTER TABLE "run_steps" ALTER COLUMN "events" SET DATA TYPE json USING "events"::json;
--> statement-breakpoint
CREATE VIEW "run_events" AS
SELECT s."run_id", (e.value->>'seq')::int AS "seq", e.value->>'type' AS "type",
  e.value->>'agent' AS "agent", (e.value->>'agentVersion')::int AS "agent_version",
  to_timestamp((e.value->>'at')::float8 / 1000.0) AS "at",
  e.value - 'seq' - 'agent' - 'agentVersion' - 'at' AS "data"
FROM "run_steps" s CROSS JOIN LATERAL jsonb_array_elements(s."events"::jsonb) AS e(value);
