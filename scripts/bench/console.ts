import { spawn } from "node:child_process";
import os from "node:os";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { closeDatabase, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { seedDemo } from "@/db/seed";
import { resetEnvForTests } from "@/lib/env";
import { queryRows } from "@/lib/runs/sql";
import { signIn, timeGet } from "./http-session";
import { seedTraces } from "./seed-spans";

/**
 * Console at scale (tracing issue): the traces list, a trace's detail and the agents page, timed
 * over HTTP as a signed-in engineer, at 10,000 spans and again after 990,000 older spans are
 * added. Both runs query the same 24-hour window; the extra history is what a production database
 * accumulates, and the pages must not slow down with it. Ratios, not absolute times, are the
 * result: this machine is shared and noisy. Returns the report section.
 */
const PORT = 3300;
const base = `http://127.0.0.1:${PORT}`;

type Timings = Record<string, { medianMs: number; p95Ms: number }>;

export async function runConsoleBench(serverUrl: string): Promise<string> {
  const name = `switchyard_bench_${Date.now()}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  resetEnvForTests();

  let server: ReturnType<typeof spawn> | undefined;
  try {
    await migrateDatabase();
    await seedDemo(getDatabase());
    const db = getDatabase();
    log("seeding 1,000 traces (10,000 spans) in the last 24 hours");
    await seedTraces(db, { firstId: 1, runs: 1_000, fromHoursAgo: 23, toHoursAgo: 0.05 });
    const [probe] = await queryRows<{ trace_id: string }>(db, sql`select trace_id from runs order by created_at desc limit 1`);
    const traceId = probe!.trace_id;

    log("building and starting the console against the bench database");
    await run(process.execPath, ["node_modules/next/dist/bin/next", "build"]);
    server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(PORT)], {
      env: { ...process.env, SWITCHYARD_WORKER_CONCURRENCY: "0", SWITCHYARD_DEMO_TRAFFIC: "off" },
      stdio: "ignore",
    });
    await waitForHealth();
    const cookie = await signIn(base, "engineer@example.com", "switchyard-demo");
    const pages = {
      "traces list": "/traces",
      // The agent filter has no index (migration 0011): it tests the window's runs as it meets them.
      "traces list, agent filter": "/traces?agent=billing",
      "trace detail": `/traces/${traceId}`,
      "agents page (24 h)": "/agents?range=24h",
    };

    const small = await measure(pages, cookie);
    log("adding 99,000 older traces (990,000 spans, up to 30 days back)");
    await seedTraces(db, { firstId: 1_001, runs: 99_000, fromHoursAgo: 24 * 30, toHoursAgo: 25 });
    const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from spans`);
    const large = await measure(pages, cookie);
    return renderSection(pages, small, large, count!.n, await serverVersion());
  } finally {
    server?.kill("SIGTERM");
    await closeDatabase();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

async function measure(pages: Record<string, string>, cookie: string): Promise<Timings> {
  const out: Timings = {};
  for (const [label, path] of Object.entries(pages)) out[label] = await timeGet(`${base}${path}`, cookie);
  log(JSON.stringify(out));
  return out;
}

function renderSection(pages: Record<string, string>, small: Timings, large: Timings, spans: number, pg: string): string {
  const rows = Object.keys(pages).map((label) => {
    const a = small[label]!;
    const b = large[label]!;
    const ratio = b.medianMs / a.medianMs;
    return `| ${label} | ${a.medianMs.toFixed(1)} / ${a.p95Ms.toFixed(1)} | ${b.medianMs.toFixed(1)} / ${b.p95Ms.toFixed(1)} | ${ratio.toFixed(2)}× | ${ratio <= 1.5 ? "yes" : "NO"} |`;
  });
  return `## Console at scale (traces list, trace detail, agents page)

Produced by \`npm run bench -- --only console\` (also part of \`npm run bench\`). Each page is fetched
over HTTP from \`next start\` as a signed-in engineer: 3 warm-up requests, then 15 timed; median /
p95 in ms. First with 10,000 spans (1,000 traces in the last 24 hours), then after adding 990,000
spans of older history (99,000 traces, 25 hours to 30 days old), for
${spans.toLocaleString("en-US")} spans in all. Both runs ask for the same 24-hour window, which is
what the pages show by default: list and metric queries are bounded by a time window and read
indexes, so history outside the window should not slow them down. Target: at most 1.5×. The
10k run goes first, so warm-up (JIT, caches) favours the 1M run: a ratio below 1 means "no
slower", not "faster with more data".

| page | 10k spans: median / p95 | 1M spans: median / p95 | ratio (median) | within 1.5× |
| --- | --- | --- | --- | --- |
${rows.join("\n")}

Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
Node ${process.version}, ${pg}. Run on ${new Date().toISOString().slice(0, 10)}.
`;
}

async function serverVersion(): Promise<string> {
  const [row] = await queryRows<{ v: string }>(getDatabase(), sql`select split_part(version(), ' on ', 1) as v`);
  return row?.v ?? "PostgreSQL";
}

async function waitForHealth() {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the console did not start");
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: process.env });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

function log(message: string) {
  console.log(`[bench] ${message}`);
}
