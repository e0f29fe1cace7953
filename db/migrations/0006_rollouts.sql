CREATE TABLE "agent_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"chain" text NOT NULL,
	"agent" text NOT NULL,
	"version" integer NOT NULL,
	"base_version" integer NOT NULL,
	"instructions" text NOT NULL,
	"model_tier" text NOT NULL,
	"tools" text[] NOT NULL,
	"limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_used_at" timestamp with time zone,
	CONSTRAINT "agent_versions_status_check" CHECK ("agent_versions"."status" in ('draft', 'active'))
);
--> statement-breakpoint
CREATE TABLE "conversation_assignments" (
	"conversation_id" text PRIMARY KEY NOT NULL,
	"versions" jsonb NOT NULL,
	"arms" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eval_jobs" (
	"run_id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eval_scores" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"agent" text NOT NULL,
	"agent_version" integer NOT NULL,
	"versions" jsonb NOT NULL,
	"score" double precision NOT NULL,
	"checks" jsonb NOT NULL,
	"judge_score" double precision,
	"judge_rationale" text,
	"judge_model" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "replays" (
	"id" text PRIMARY KEY NOT NULL,
	"batch_id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"agent" text NOT NULL,
	"candidate_version" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"result" jsonb,
	"error" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rollout_decisions" (
	"id" text PRIMARY KEY NOT NULL,
	"rollout_id" text NOT NULL,
	"action" text NOT NULL,
	"source" text NOT NULL,
	"actor_email" text,
	"signal" text,
	"reason" text DEFAULT '' NOT NULL,
	"readings" jsonb,
	"from_percent" integer NOT NULL,
	"to_percent" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" text PRIMARY KEY NOT NULL,
	"chain" text NOT NULL,
	"agent" text NOT NULL,
	"stable_version" integer NOT NULL,
	"canary_version" integer NOT NULL,
	"stages" integer[] NOT NULL,
	"stage_index" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"min_sample" integer NOT NULL,
	"last_verdict" jsonb,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stage_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "rollouts_status_check" CHECK ("rollouts"."status" in ('running', 'paused', 'promoted', 'rolled_back'))
);
--> statement-breakpoint
ALTER TABLE "agent_versions" ADD CONSTRAINT "agent_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_assignments" ADD CONSTRAINT "conversation_assignments_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_jobs" ADD CONSTRAINT "eval_jobs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_jobs" ADD CONSTRAINT "eval_jobs_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_scores" ADD CONSTRAINT "eval_scores_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_scores" ADD CONSTRAINT "eval_scores_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replays" ADD CONSTRAINT "replays_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replays" ADD CONSTRAINT "replays_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_decisions" ADD CONSTRAINT "rollout_decisions_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agent_versions_agent_version_key" ON "agent_versions" USING btree ("agent","version");--> statement-breakpoint
CREATE INDEX "agent_versions_created_at_idx" ON "agent_versions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "eval_jobs_queued_idx" ON "eval_jobs" USING btree ("available_at") WHERE "eval_jobs"."status" = 'queued';--> statement-breakpoint
CREATE UNIQUE INDEX "eval_scores_run_key" ON "eval_scores" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "eval_scores_agent_created_idx" ON "eval_scores" USING btree ("agent","agent_version","created_at");--> statement-breakpoint
CREATE INDEX "eval_scores_score_idx" ON "eval_scores" USING btree ("score","created_at");--> statement-breakpoint
CREATE INDEX "replays_created_at_idx" ON "replays" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "replays_queued_idx" ON "replays" USING btree ("available_at") WHERE "replays"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "rollout_decisions_rollout_idx" ON "rollout_decisions" USING btree ("rollout_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "rollouts_active_agent_key" ON "rollouts" USING btree ("agent") WHERE "rollouts"."status" in ('running', 'paused');--> statement-breakpoint
CREATE INDEX "rollouts_created_at_idx" ON "rollouts" USING btree ("created_at");