CREATE TABLE "spans" (
	"trace_id" text NOT NULL,
	"span_id" text NOT NULL,
	"parent_span_id" text,
	"run_id" text NOT NULL,
	"ingest_id" bigserial NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"agent" text,
	"agent_version" integer,
	"model" text,
	"tier" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"duration_ms" double precision,
	"input_tokens" integer,
	"output_tokens" integer,
	"cost_usd" double precision,
	"error" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"payload" jsonb,
	CONSTRAINT "spans_pkey" PRIMARY KEY("trace_id","span_id")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "duration_ms" double precision;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cost_usd" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "input_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "output_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "llm_calls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "errors" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "agents" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "models" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "spans" ADD CONSTRAINT "spans_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "spans_run_idx" ON "spans" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "spans_agent_started_idx" ON "spans" USING btree ("agent","started_at");--> statement-breakpoint
CREATE INDEX "spans_kind_started_idx" ON "spans" USING btree ("kind","started_at");--> statement-breakpoint
CREATE INDEX "spans_ingest_idx" ON "spans" USING btree ("ingest_id");--> statement-breakpoint
CREATE INDEX "runs_created_at_idx" ON "runs" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_agents_idx" ON "runs" USING gin ("agents");--> statement-breakpoint
CREATE INDEX "runs_models_idx" ON "runs" USING gin ("models");