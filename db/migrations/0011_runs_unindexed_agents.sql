DROP INDEX IF EXISTS "runs_agents_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "runs_models_idx";