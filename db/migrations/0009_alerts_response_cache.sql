CREATE TABLE "anomaly_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"metric" text NOT NULL,
	"value" double precision NOT NULL,
	"baseline" double precision NOT NULL,
	"baseline_std" double precision NOT NULL,
	"rule" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"window_hours" integer NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "response_cache" (
	"id" text PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"agent" text NOT NULL,
	"agent_version" integer NOT NULL,
	"key_hash" text NOT NULL,
	"output" jsonb NOT NULL,
	"model" text NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"embedding" real[],
	"embedding_model" text,
	"hits" integer DEFAULT 0 NOT NULL,
	"saved_usd" double precision DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_hit_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "response_cache_stats" (
	"day" date NOT NULL,
	"scope" text NOT NULL,
	"agent" text NOT NULL,
	"lookups" integer DEFAULT 0 NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	"saved_usd" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "response_cache_stats_pkey" PRIMARY KEY("day","scope","agent")
);
--> statement-breakpoint
ALTER TABLE "anomaly_alerts" ADD CONSTRAINT "anomaly_alerts_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "anomaly_alerts_open_idx" ON "anomaly_alerts" USING btree ("agent","metric") WHERE "anomaly_alerts"."acknowledged_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "anomaly_alerts_bucket_idx" ON "anomaly_alerts" USING btree ("agent","metric","bucket");--> statement-breakpoint
CREATE INDEX "anomaly_alerts_raised_idx" ON "anomaly_alerts" USING btree ("raised_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "response_cache_key_idx" ON "response_cache" USING btree ("scope","agent","agent_version","key_hash");--> statement-breakpoint
CREATE INDEX "response_cache_candidates_idx" ON "response_cache" USING btree ("scope","agent","agent_version","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "response_cache_expires_idx" ON "response_cache" USING btree ("expires_at");