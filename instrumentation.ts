/**
 * Runs once when the Next.js server starts. Migrations (and demo data on an empty embedded
 * database), the run worker, the demo traffic generator, the anomaly evaluator and the OTLP trace
 * exporter start here, in the app process, because a PGlite data directory belongs to one
 * process; never during `next build`.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { isBuildPhase } = await import("@/lib/env");
  if (isBuildPhase()) return;
  const { backfillDemoHistoryInBackground, bootstrapDatabase } = await import("@/db/bootstrap");
  const { demoSeeded } = await bootstrapDatabase();
  const { startWorker } = await import("@/lib/runs/start-worker");
  await startWorker();
  // After the worker: the generator's conversations need someone to answer them.
  const { getDatabase } = await import("@/db/client");
  const { startTrafficGenerator } = await import("@/lib/runs/traffic");
  startTrafficGenerator(getDatabase());
  if (demoSeeded) backfillDemoHistoryInBackground();
  // Judges each agent's last complete hour against its rolling baseline (lib/alerts).
  const { startAnomalyEvaluator } = await import("@/lib/alerts/evaluate");
  startAnomalyEvaluator(getDatabase());
  // A no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const { startTraceExporter } = await import("@/lib/tracing/otlp");
  startTraceExporter(getDatabase());
}
