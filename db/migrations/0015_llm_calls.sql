CREATE TABLE "llm_calls" (
	"trace_id" text NOT NULL,
	"span_id" text NOT NULL,
	"run_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" double precision,
	"agent" text,
	"agent_version" integer,
	"model" text,
	"tier" text,
	"status" text NOT NULL,
	"input_tokens" integer,
	"output_tokens" integer,
	"cached_input_tokens" integer,
	"cost_usd" double precision,
	CONSTRAINT "llm_calls_pkey" PRIMARY KEY("trace_id","span_id")
);
--> statement-breakpoint
CREATE INDEX "llm_calls_started_brin" ON "llm_calls" USING brin ("started_at") WITH (autosummarize=true);--> statement-breakpoint
-- A process of the previous version (a rolling deploy) still stores its LLM spans in "spans":
-- each is copied here as it is written, so the aggregates miss none. The current version stores
-- no LLM span, so the trigger's condition is all it costs a commit.
CREATE FUNCTION "llm_calls_from_spans"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "llm_calls" ("trace_id", "span_id", "run_id", "started_at", "duration_ms", "agent",
    "agent_version", "model", "tier", "status", "input_tokens", "output_tokens",
    "cached_input_tokens", "cost_usd")
  VALUES (NEW."trace_id", NEW."span_id", NEW."run_id", NEW."started_at", NEW."duration_ms",
    NEW."agent", NEW."agent_version", NEW."model", NEW."tier", NEW."status", NEW."input_tokens",
    NEW."output_tokens", (NEW."attributes"->>'gen_ai.usage.cache_read.input_tokens')::int,
    NEW."cost_usd")
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "spans_llm_calls" AFTER INSERT ON "spans"
  FOR EACH ROW WHEN (NEW."kind" = 'llm') EXECUTE FUNCTION "llm_calls_from_spans"();
--> statement-breakpoint
-- The calls recorded so far. Their spans stay in "spans" for their traces.
INSERT INTO "llm_calls" ("trace_id", "span_id", "run_id", "started_at", "duration_ms", "agent",
  "agent_version", "model", "tier", "status", "input_tokens", "output_tokens",
  "cached_input_tokens", "cost_usd")
SELECT "trace_id", "span_id", "run_id", "started_at", "duration_ms", "agent", "agent_version",
  "model", "tier", "status", "input_tokens", "output_tokens",
  ("attributes"->>'gen_ai.usage.cache_read.input_tokens')::int, "cost_usd"
FROM "spans" WHERE "kind" = 'llm'
ON CONFLICT DO NOTHING;
