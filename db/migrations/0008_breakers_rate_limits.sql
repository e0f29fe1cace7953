CREATE TABLE "breaker_transitions" (
	"id" text PRIMARY KEY NOT NULL,
	"breaker_key" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"reason" text NOT NULL,
	"consecutive_failures" integer NOT NULL,
	"window_calls" integer NOT NULL,
	"window_failures" integer NOT NULL,
	"actor_id" text,
	"actor_email" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "breakers" (
	"key" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'closed' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"window" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"opened_at" timestamp with time zone,
	"probe_until" timestamp with time zone,
	"forced" boolean DEFAULT false NOT NULL,
	"last_failure_at" timestamp with time zone,
	"config" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
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
ALTER TABLE "breaker_transitions" ADD CONSTRAINT "breaker_transitions_breaker_key_breakers_key_fk" FOREIGN KEY ("breaker_key") REFERENCES "public"."breakers"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breaker_transitions" ADD CONSTRAINT "breaker_transitions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "breaker_transitions_key_at_idx" ON "breaker_transitions" USING btree ("breaker_key","at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "breaker_transitions_at_idx" ON "breaker_transitions" USING btree ("at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "breakers_status_idx" ON "breakers" USING btree ("status");--> statement-breakpoint
CREATE INDEX "rate_limit_grants_key_at_idx" ON "rate_limit_grants" USING btree ("key","granted_at");--> statement-breakpoint
CREATE INDEX "rate_limit_waiters_key_idx" ON "rate_limit_waiters" USING btree ("key","priority");