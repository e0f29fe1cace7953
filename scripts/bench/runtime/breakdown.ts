import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { newId, newTraceId } from "@/lib/ids";
import { createRunLoop } from "@/lib/runs/runtime";
import { RunLoop } from "@/lib/runtime";
import { MemoryRunStore, MemoryToolLedger } from "@/lib/runtime/testing";
import { WARM_UP_INSERTS } from "./child";
import { analyzeDatabase, cpuMsSince, mean, percentile } from "./measure";
import { RawInserter } from "./raw-insert";
import { benchChain, benchParts, createConversations } from "./switchyard-parts";
import { measureWalFloor, type WalFloor } from "./wal-floor";
import { CUSTOMER_MESSAGE, instantModel, type StepModel } from "./workload";

/**
 * Where a Switchyard step's time goes, at concurrency 1: the same conversations through variants
 * of the write path, interleaved in rounds (so drifting fsync time hits every variant alike):
 * production; production with unnamed statements as drizzle's `execute` sends them (what
 * lib/runs/sql.ts did before it named its queries); production with synchronous_commit=off (NOT
 * durable: it shows how much of a step is the wait for fsync); the runtime alone on the in-memory
 * store; and D. A diagnostic for the optimisation proposals in
 * docs/benchmarks.md, not a target.
 */
interface Variant {
  name: string;
  converse: (model: StepModel) => Promise<void>;
  steps: number[];
  cpuMs: number;
}

function pgVariant(name: string, db: Database, conversations: string[]): Variant {
  return {
    name,
    steps: [],
    cpuMs: 0,
    converse: async (model) => {
      const loop = createRunLoop(db, benchParts(model), {
        newRun: { conversationId: conversations.pop()!, traceId: newTraceId() },
      });
      await loop.start(benchChain.name, CUSTOMER_MESSAGE);
    },
  };
}

function memoryVariant(): Variant {
  const store = new MemoryRunStore();
  const ledger = new MemoryToolLedger();
  return {
    name: "runtime only (in-memory store)",
    steps: [],
    cpuMs: 0,
    converse: async (model) => {
      const parts = benchParts(model);
      const loop = new RunLoop({ ...parts, store, ledger, ids: { newId } });
      await loop.start(benchChain.name, CUSTOMER_MESSAGE);
    },
  };
}

/** Times one conversation, split at the model calls like the main harness. */
async function timeOne(variant: Variant) {
  const marks: number[] = [];
  const model: StepModel = (stage, input) => (marks.push(performance.now()), instantModel(stage, input));
  const cpu = process.cpuUsage();
  const start = performance.now();
  await variant.converse(model);
  const end = performance.now();
  variant.cpuMs += cpuMsSince(cpu);
  const points = [start, ...marks.slice(1), end];
  for (let k = 0; k < 4; k++) variant.steps.push(points[k + 1]! - points[k]!);
}

/**
 * Untimed conversations per variant before the rounds: like the main harness's warm-up
 * (child.ts), enough for V8 to have optimised the path, so the table shows steady-state costs.
 */
const WARM_UP_CONVERSATIONS = 500;

export async function runBreakdown(serverUrl: string, rounds = 10, perRound = 15): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const name = `sy_bench_breakdown_${Date.now()}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const plain = postgres(url.toString(), { max: 1, onnotice: () => {} });
  // What PgRunStore sent before lib/runs/sql.ts named its queries: unnamed statements, for which
  // postgres.js asks the server for parameter types first (two round trips, a parse every time).
  const unnamed = new Proxy(plain, {
    get: (target, prop, receiver): unknown =>
      prop === "unsafe"
        ? (q: string, params?: unknown[], options?: object) => target.unsafe(q, params as never, { ...options, prepare: false })
        : Reflect.get(target, prop, receiver),
  });
  const async = postgres(url.toString(), { max: 1, onnotice: () => {}, connection: { synchronous_commit: "off" } });
  const raw = new RawInserter(url.toString(), 1);
  try {
    const db: Database = drizzle({ client: plain, schema });
    await migrate(drizzle({ client: plain }), { migrationsFolder: path.resolve("db/migrations") });
    await raw.setup();
    const total = rounds * perRound + WARM_UP_CONVERSATIONS;
    const variants = [
      pgVariant("production (PgRunStore as is)", db, await createConversations(db, total)),
      pgVariant("unnamed statements (drizzle's execute)", drizzle({ client: unnamed, schema }), await createConversations(db, total)),
      pgVariant("synchronous_commit=off (not durable)", drizzle({ client: async, schema }), await createConversations(db, total)),
      memoryVariant(),
    ];
    for (const v of variants) for (let i = 0; i < WARM_UP_CONVERSATIONS; i++) await v.converse(instantModel);
    for (let i = 0; i < WARM_UP_INSERTS; i++) await raw.insert();
    await analyzeDatabase(url.toString());
    const d: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = [...variants.slice(r % variants.length), ...variants.slice(0, r % variants.length)];
      for (const v of order) for (let i = 0; i < perRound; i++) await timeOne(v);
      for (let i = 0; i < perRound; i++) d.push(await raw.insert());
    }
    const floor = await measureWalFloor(db, await createConversations(db, rounds * perRound));
    return render(variants, d, rounds * perRound) + renderFloor(floor);
  } finally {
    await Promise.all([plain.end(), async.end(), raw.end()]);
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

function render(variants: Variant[], d: number[], conversations: number): string {
  const D = mean(d);
  const rows = variants.map((v) => {
    const m = mean(v.steps);
    return `| ${v.name} | ${m.toFixed(2)} (${(m / D).toFixed(2)} D) | ${percentile(v.steps, 50).toFixed(2)} | ${percentile(v.steps, 99).toFixed(2)} | ${(v.cpuMs / v.steps.length).toFixed(3)} |`;
  });
  return `## Where a Switchyard step's time goes (concurrency 1)

Produced by \`npm run bench -- --only breakdown\`: ${conversations} conversations per variant
after ${WARM_UP_CONVERSATIONS} untimed ones each, interleaved in rounds with ${d.length} raw inserts (D = ${D.toFixed(3)} ms mean, p50
${percentile(d, 50).toFixed(2)} ms in these rounds). Not a target: it shows what each part of the
write path costs, for the proposals below.

| variant | step mean ms (in D) | step p50 ms | step p99 ms | CPU ms per step |
| --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
}

function renderFloor(floor: WalFloor): string {
  const rows = floor.rows.map(
    (r) => `| ${r.layout} | ${r.bytesPerStep.toFixed(0)} | ${(r.bytesPerStep / floor.payloadPerStep).toFixed(2)}× |`,
  );
  return `
### How little WAL a step could write (target 2: at most 1.5× the event payload)

The same ${floor.steps} steps' events (${floor.payloadPerStep.toFixed(0)} bytes of JSON per step), one commit per step at
concurrency 1, written one way after another: the production write path, then layouts that store
only part of what it stores (\`scripts/bench/runtime/wal-floor.ts\`). WAL is read from the
server's position, so other work on the server in these seconds would count too.

| layout | WAL bytes per step | × event payload |
| --- | --- | --- |
${rows.join("\n")}
`;
}
