CREATE TABLE "rate_limit_grants" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"priority" integer NOT NULL,
	"tokens" integer NOT NULL,
	"granted_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limit_waiters" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"priority" integer NOT NULL,
	"since" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rate_limit_grants_key_at_idx" ON "rate_limit_grants" USING btree ("key","granted_at");--> statement-breakpoint
CREATE INDEX "rate_limit_waiters_key_idx" ON "rate_limit_waiters" USING btree ("key","priority");