CREATE TYPE "public"."escalation_kind" AS ENUM('escalated', 'tool_approval', 'human_review');--> statement-breakpoint
CREATE TYPE "public"."escalation_status" AS ENUM('open', 'claimed', 'resolved', 'handed_back');--> statement-breakpoint
CREATE TABLE "escalations" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"run_id" text NOT NULL,
	"run_seq" integer NOT NULL,
	"reason" text NOT NULL,
	"detail" text,
	"kind" "escalation_kind" NOT NULL,
	"agent" text,
	"priority" integer NOT NULL,
	"sla_due_at" timestamp with time zone NOT NULL,
	"status" "escalation_status" DEFAULT 'open' NOT NULL,
	"claimed_by" text,
	"claimed_at" timestamp with time zone,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "escalations_settlement_idx" ON "escalations" USING btree ("run_id","run_seq");--> statement-breakpoint
CREATE INDEX "escalations_queue_idx" ON "escalations" USING btree ("priority","sla_due_at","id") WHERE "escalations"."status" in ('open', 'claimed');--> statement-breakpoint
CREATE INDEX "escalations_conversation_idx" ON "escalations" USING btree ("conversation_id","created_at");