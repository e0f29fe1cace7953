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
ALTER TABLE "anomaly_alerts" ADD CONSTRAINT "anomaly_alerts_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "anomaly_alerts_open_idx" ON "anomaly_alerts" USING btree ("agent","metric") WHERE "anomaly_alerts"."acknowledged_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "anomaly_alerts_bucket_idx" ON "anomaly_alerts" USING btree ("agent","metric","bucket");--> statement-breakpoint
CREATE INDEX "anomaly_alerts_raised_idx" ON "anomaly_alerts" USING btree ("raised_at" DESC NULLS LAST);