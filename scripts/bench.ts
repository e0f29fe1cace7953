import os from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { getEnv } from "@/lib/env";
import { runConsoleBench } from "./bench/console";
import { runContextBench } from "./bench/context/report";
import { runAllocations } from "./bench/runtime/allocations";
import { runBreakdown } from "./bench/runtime/breakdown";
import { writeSection } from "./report/sections";
import { type Environment, renderRuntimeSection } from "./bench/runtime/report";
import { type FrameworkName, frameworkNames, installedVersions, runRuntimeSuite } from "./bench/runtime/suite";

/**
 * `npm run bench`: the runtime benchmark (Switchyard against LangGraph and Mastra and the raw
 * insert ceiling, scripts/bench/runtime), a breakdown of where a Switchyard step's time goes
 * (scripts/bench/runtime/breakdown.ts), what a step allocates (scripts/bench/runtime/allocations.ts)
 * and the console-at-scale run (scripts/bench/console.ts).
 * Each writes its own section of docs/benchmarks.md. Parts and sizes are selectable:
 *
 *   npm run bench -- --only runtime                 # or breakdown, allocations, console, context (comma-separated)
 *   npm run bench -- --only runtime --quick         # one run, small sizes, for development
 *   npm run bench -- --frameworks switchyard --repeat 1 --n1 100 --n32 500 --profile
 */
const REPORT = {
  path: "docs/benchmarks.md",
  marker: "bench",
  header: `# Benchmarks

Produced by \`npm run bench\` (with \`DATABASE_URL\` pointing at a PostgreSQL server where it may
create and drop scratch databases). Ratios from one run are the result; absolute times depend on
the machine and what else it is doing.
`,
};
const { values } = parseArgs({
  options: {
    only: { type: "string", default: "runtime,breakdown,allocations,console,context" },
    frameworks: { type: "string", default: frameworkNames.join(",") },
    quick: { type: "boolean", default: false },
    repeat: { type: "string" },
    n1: { type: "string" },
    n32: { type: "string" },
    "latency-n": { type: "string", default: "1000" },
    "delay-ms": { type: "string", default: "500" },
    "settle-ms": { type: "string", default: "11000" },
    profile: { type: "boolean", default: false },
  },
});

const parts = new Set(values.only.split(","));

// In memory on the simulator: needs no database.
if (parts.has("context")) {
  writeSection(REPORT, "context", await runContextBench());
  console.log(`[bench] wrote the context section of ${REPORT.path}`);
}

const serverUrl = getEnv().DATABASE_URL;
if (!serverUrl) {
  if ([...parts].every((p) => p === "context")) process.exit(0);
  console.error("npm run bench needs DATABASE_URL: a PostgreSQL server where it may create scratch databases.");
  process.exit(2);
}
const frameworks = values.frameworks.split(",").filter((f): f is FrameworkName => (frameworkNames as readonly string[]).includes(f));

if (parts.has("runtime")) {
  const loadAverage = os.loadavg().map((l) => l.toFixed(2)).join(" / ");
  const result = await runRuntimeSuite({
    serverUrl,
    frameworks,
    repeats: Number(values.repeat ?? (values.quick ? 1 : 2)),
    n1: Number(values.n1 ?? (values.quick ? 50 : 300)),
    n32: Number(values.n32 ?? (values.quick ? 300 : 1500)),
    latencyN: Number(values["latency-n"]),
    delayMs: Number(values["delay-ms"]),
    settleMs: Number(values["settle-ms"]),
    profileDir: values.profile ? ".data/bench-profiles" : undefined,
  });
  const env: Environment = {
    ...(await serverInfo(serverUrl)),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    node: process.version,
    versions: installedVersions(),
    loadAverage,
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    date: new Date().toISOString().slice(0, 10),
  };
  writeSection(REPORT, "runtime", renderRuntimeSection(result, env));
  console.log(`[bench] wrote the runtime section of ${REPORT.path}`);
}

if (parts.has("breakdown")) {
  console.log("[bench] breakdown of a Switchyard step (variants of the write path, interleaved)");
  writeSection(REPORT, "breakdown", await runBreakdown(serverUrl, values.quick ? 4 : 10));
  console.log(`[bench] wrote the breakdown section of ${REPORT.path}`);
}

if (parts.has("allocations")) {
  console.log("[bench] what a Switchyard step allocates (concurrency 32)");
  writeSection(REPORT, "allocations", await runAllocations(serverUrl, values.quick ? 300 : 1_000));
  console.log(`[bench] wrote the allocations section of ${REPORT.path}`);
}

if (parts.has("console")) {
  writeSection(REPORT, "console", await runConsoleBench(serverUrl));
  console.log(`[bench] wrote the console section of ${REPORT.path}`);
}

async function serverInfo(url: string): Promise<Pick<Environment, "server" | "serverSettings">> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [v] = await sql<{ v: string }[]>`select split_part(version(), ' on ', 1) as v`;
    const names = ["fsync", "synchronous_commit", "wal_sync_method", "commit_delay", "full_page_writes", "shared_buffers"];
    const rows = await sql<{ name: string; setting: string; unit: string | null }[]>`
      select name, setting, unit from pg_settings where name in ${sql(names)} order by name`;
    return {
      server: v?.v ?? "PostgreSQL",
      serverSettings: Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting}×${r.unit}` : r.setting])),
    };
  } finally {
    await sql.end();
  }
}
