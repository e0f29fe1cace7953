DROP INDEX "runs_agents_idx";--> statement-breakpoint
DROP INDEX "runs_models_idx";