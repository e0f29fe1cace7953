CREATE TABLE "budget_reservations" (
	"id" text PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"amount_usd" double precision NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "budget_spend" (
	"scope" text NOT NULL,
	"day" date NOT NULL,
	"spent_usd" double precision DEFAULT 0 NOT NULL,
	"reserved_usd" double precision DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_spend_pkey" PRIMARY KEY("scope","day")
);
--> statement-breakpoint
CREATE TABLE "budgets" (
	"scope" text PRIMARY KEY NOT NULL,
	"limit_usd" double precision NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_prices" (
	"id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"version" integer NOT NULL,
	"input_per_mtok" double precision NOT NULL,
	"output_per_mtok" double precision NOT NULL,
	"cached_input_per_mtok" double precision NOT NULL,
	"valid_from" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "budget_reservations_expires_idx" ON "budget_reservations" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "model_prices_model_version_idx" ON "model_prices" USING btree ("model","version");--> statement-breakpoint
CREATE INDEX "model_prices_model_valid_from_idx" ON "model_prices" USING btree ("model","valid_from");