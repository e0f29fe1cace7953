import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase } from "@/db/client";
import { DEMO_API_KEY, DEMO_PASSWORD, seedDemo } from "@/db/seed";
import { hashApiKey } from "@/lib/api/keys";
import { seedTraces } from "@/scripts/bench/seed-spans";
import { setupTestDatabase, testDb } from "../helpers/db";
import { signInOverHttp, startAppServer, type AppServer } from "./app-server";
import { figuresTable, recordDrill, sized } from "./report";

/**
 * Drill 9 (issue 10): a fixed rate of mixed public-API and console reads against `next start` on
 * PostgreSQL with a long history. Open loop: a request is sent every 1/RATE s whether or not the
 * earlier ones have answered, so a slow server shows up as latency and errors, not as a lower rate
 * (no coordinated omission). Meanwhile pg_stat_activity is polled for the database's connections.
 */
const PORT = 3112;
const CONVERSATIONS = sized({ ci: 10_000, full: 100_000 });
const DURATION_S = sized({ ci: 20, full: 300 });
const RATE = Number(process.env.DRILL_RATE ?? 50);
/** The pool the server is configured with; small enough that the load can fill it. */
const POOL_MAX = Number(process.env.DRILL_POOL_MAX ?? 6);
const TIMEOUT_MS = 10_000;

setupTestDatabase();

let server: AppServer;
let databaseUrl: string;
let seedMs = 0;

beforeAll(async () => {
  databaseUrl = process.env.DATABASE_URL ?? "";
  if (!databaseUrl) throw new Error("The load drill runs on PostgreSQL: set DATABASE_URL.");
  const started = Date.now();
  const db = testDb();
  await seedDemo(db);
  await seedTraces(db, { firstId: 1, runs: CONVERSATIONS, fromHoursAgo: 24 * 30, toHoursAgo: 0.05 });
  // The history belongs to the demo key (so the public API can read it) and has a transcript.
  await db.execute(sql`
    update conversations set api_key_id = (select id from api_keys where key_hash = ${hashApiKey(DEMO_API_KEY)})
    where id like 'cnv_bench%'`);
  await db.execute(sql`
    insert into messages (id, conversation_id, role, author, run_id, content, created_at)
    select 'msg_bench' || m || substr(c.id, 10), c.id, (case when m = 1 then 'customer' else 'agent' end)::message_role,
      case when m = 2 then 'technical' end, case when m = 2 then 'run_bench' || substr(c.id, 10) end,
      case when m = 1 then 'I cannot sign in, how do I reset my password?' else 'Use Forgot password on the sign-in page (kb-101).' end,
      c.created_at + m * interval '1 second'
    from conversations c cross join generate_series(1, 2) m where c.id like 'cnv_bench%'`);
  await db.execute(sql`analyze conversations; analyze messages`);
  seedMs = Date.now() - started;
  // Only the server's connections may count against its pool in pg_stat_activity.
  await closeDatabase();
  server = await startAppServer({ port: PORT, databaseUrl, env: { DATABASE_POOL_MAX: String(POOL_MAX) } });
});

afterAll(async () => {
  await server?.stop();
});

interface Sample {
  label: string;
  ms: number;
  ok: boolean;
  status: number | string;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

const benchId = (n: number) => String(n).padStart(17, "0");

/**
 * The request mix, shaped like production: integrations polling the public API dominate; the
 * console's open tabs poll the inbox count and live views; full page loads are the rarest.
 */
function nextRequest(cookie: string): { label: string; path: string; headers: Record<string, string> } {
  const n = 1 + Math.floor(Math.random() * CONVERSATIONS);
  const conversation = `cnv_bench${benchId(n)}`;
  const bearer = { Authorization: `Bearer ${DEMO_API_KEY}` };
  const session = { Cookie: cookie };
  const roll = Math.random();
  if (roll < 0.6) return { label: "GET /api/v1/conversations/{id}", path: `/api/v1/conversations/${conversation}`, headers: bearer };
  if (roll < 0.7) return { label: "GET /api/health", path: "/api/health", headers: {} };
  if (roll < 0.82) return { label: "GET /api/console/inbox/count", path: "/api/console/inbox/count", headers: session };
  if (roll < 0.94) return { label: "GET /api/console/conversations/{id}/live", path: `/api/console/conversations/${conversation}/live`, headers: session };
  const page = pick([
    { label: "console /conversations", path: "/conversations" },
    { label: "console /conversations/{id}", path: `/conversations/${conversation}` },
    { label: "console /", path: "/" },
  ]);
  return { ...page, headers: session };
}

async function timed(url: string, label: string, headers: Record<string, string>): Promise<Sample> {
  const started = performance.now();
  try {
    const res = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer();
    return { label, ms: performance.now() - started, ok: res.status === 200, status: res.status };
  } catch (error) {
    return { label, ms: performance.now() - started, ok: false, status: error instanceof Error ? error.name : "error" };
  }
}

/** Client connections (the bound) and, for the record, every backend on the database (autovacuum too). */
/** Over the pool, the client backends are listed once, so the report can say where the extra came from. */
let overPoolSnapshot = "";

async function pollConnections(stop: () => boolean): Promise<{ client: number; all: number }[]> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const poller = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const counts: { client: number; all: number }[] = [];
  try {
    while (!stop()) {
      const [row] = await poller<{ client: number; all: number }[]>`
        select count(*) filter (where backend_type = 'client backend')::int as client, count(*)::int as all
        from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      counts.push(row!);
      if (row!.client > POOL_MAX && !overPoolSnapshot) {
        const rows = await poller<{ pid: number; started: string; state: string | null; query: string }[]>`
          select pid, to_char(backend_start, 'HH24:MI:SS.MS') as started, state, left(query, 60) as query
          from pg_stat_activity where datname = ${name} and backend_type = 'client backend' and pid <> pg_backend_pid()
          order by backend_start`;
        overPoolSnapshot = rows.map((r) => `${r.pid} since ${r.started} ${r.state ?? ""}: ${r.query.replace(/\s+/g, " ")}`).join("; ");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await poller.end();
  }
  return counts;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe("drill 9: load", () => {
  it(`serves ${RATE} mixed reads a second for ${DURATION_S} s over ${CONVERSATIONS} conversations`, async () => {
    const { cookie } = await signInOverHttp(server.url, "engineer@example.com", DEMO_PASSWORD);
    let done = false;
    const connections = pollConnections(() => done);
    const pending: Promise<Sample>[] = [];
    const total = RATE * DURATION_S;
    const started = performance.now();
    let lateStarts = 0;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -50) lateStarts++;
      const req = nextRequest(cookie);
      pending.push(timed(`${server.url}${req.path}`, req.label, req.headers));
    }
    const sentInS = (performance.now() - started) / 1000;
    const samples = await Promise.all(pending);
    done = true;
    const polled = await connections;
    const peak = Math.max(0, ...polled.map((c) => c.client));
    const peakAll = Math.max(0, ...polled.map((c) => c.all));
    const up = server.alive();

    const errors = samples.filter((s) => !s.ok);
    const errorRate = errors.length / samples.length;
    const all = samples.map((s) => s.ms).sort((a, b) => a - b);
    const byLabel = [...new Set(samples.map((s) => s.label))].sort().map((label) => {
      const ms = samples.filter((s) => s.label === label).map((s) => s.ms).sort((a, b) => a - b);
      return `| ${label} | ${ms.length} | ${percentile(ms, 50).toFixed(0)} | ${percentile(ms, 99).toFixed(0)} | ${samples.filter((s) => s.label === label && !s.ok).length} |`;
    });
    const achievedRate = samples.length / sentInS;
    const figures = [
      { figure: "error rate (non-200 or no answer within 10 s)", bound: "< 0.1%", measured: `${(100 * errorRate).toFixed(2)}% (${errors.length} of ${samples.length})`, ok: errorRate < 0.001 },
      { figure: "p99 latency, all requests", bound: "reported", measured: `${percentile(all, 99).toFixed(0)} ms (p50 ${percentile(all, 50).toFixed(0)} ms, max ${all.at(-1)?.toFixed(0)} ms)`, ok: true },
      { figure: "peak client connections to the database (pg_stat_activity)", bound: `≤ ${POOL_MAX} (DATABASE_POOL_MAX)`, measured: `${peak} (every backend incl. autovacuum: ${peakAll})`, ok: peak <= POOL_MAX },
      { figure: "rate sent", bound: `${RATE}/s`, measured: `${achievedRate.toFixed(1)}/s (${lateStarts} sends over 50 ms late)`, ok: achievedRate >= RATE * 0.95 },
      { figure: "server up afterwards", bound: "yes", measured: up ? "yes" : "no", ok: up },
    ];
    recordDrill(
      "load",
      "Drill 9: load",
      `${CONVERSATIONS.toLocaleString("en-US")} conversations of history (${(CONVERSATIONS * 10).toLocaleString("en-US")} spans, 30 days; seeded with set-based SQL in ${(seedMs / 1000).toFixed(0)} s),
then ${RATE} requests/s for ${DURATION_S} s, open loop, on loopback against \`next start\` on PostgreSQL with
\`DATABASE_POOL_MAX=${POOL_MAX}\` and its worker running: 60% \`GET /api/v1/conversations/{id}\` (random
conversation), 10% \`/api/health\`, 12% the inbox count, 12% a conversation's live view and 6% console
pages (conversations list, a conversation, the overview) as a signed-in engineer.
pg_stat_activity polled every 100 ms for the database's client connections (autovacuum workers excluded). A small fixed-rate loop rather than
autocannon: each request picks its own conversation and credential, and no dependency is added.

${figuresTable(figures)}

| request | count | p50 ms | p99 ms | errors |
| --- | --- | --- | --- | --- |
${byLabel.join("\n")}
${overPoolSnapshot ? `\nClient backends when the pool was exceeded: ${overPoolSnapshot.replace(/\|/g, "\\|")}\n` : ""}${errors.length ? `\nErrors: ${[...new Set(errors.map((e) => `${e.label} → ${e.status}`))].slice(0, 10).join("; ")}\n` : ""}`,
    );
    expect(figures.filter((f) => !f.ok).map((f) => `${f.figure}: ${f.measured}`)).toEqual([]);
  });
});
