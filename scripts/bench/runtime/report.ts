import { WORKER_NODE_FLAGS } from "../../bundle";
import { type ChildResult, type PhaseResult, WARM_UP, WARM_UP_INSERTS } from "./child";
import type { SuiteResult, SuiteRun } from "./suite";

/** The warm-up every framework's process runs first, in words (child.ts). */
const warmUpText = () =>
  WARM_UP.map(([n, c]) => `${n.toLocaleString("en-US")} conversations at concurrency ${c}`).join(" then ");

/** Context printed with the figures: without it a ratio from a shared machine means little. */
export interface Environment {
  machine: string;
  node: string;
  server: string;
  serverSettings: Record<string, string>;
  versions: Record<string, string>;
  loadAverage: string;
  command: string;
  date: string;
}

const IDEAL_MS = 4 * 500;

const fmt = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(digits);

function phaseOf(results: readonly ChildResult[], framework: string, label: string): PhaseResult | undefined {
  return results.find((r) => r.framework === framework)?.phases.find((p) => p.label === label);
}

const ceilingOf = (run: SuiteRun, label: string) => run.ceiling.phases.find((p) => p.label === label)!;

/** D for a framework: the mean of the raw inserts interleaved with its concurrency-1 conversations. */
function dOf(results: readonly ChildResult[], framework: string): number {
  return phaseOf(results, framework, "c1")?.d?.meanMs ?? Number.NaN;
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function ceilingTable(result: SuiteResult): string {
  return table(
    ["run", "mean ms per insert, c=1", "p50 / p99 ms, c=1", "inserts/s, c=32", "CPU ms per insert, c=1", "commits per insert", "WAL syncs per insert, c=1 / c=32", "WAL bytes per insert", "other commits on the server"],
    result.runs.map((run, i) => {
      const a = ceilingOf(run, "c1");
      const b = ceilingOf(run, "c32");
      return [String(i + 1), fmt(a.stepMeanMs, 3), `${fmt(a.stepP50Ms)} / ${fmt(a.stepP99Ms)}`, fmt(b.stepsPerSec, 0), fmt(a.cpuMsPerStep, 3), fmt(a.server?.commitsPerStep), `${fmt(a.server?.walSyncsPerStep)} / ${fmt(b.server?.walSyncsPerStep)}`, fmt(a.server?.walBytesPerStep, 0), fmt((a.server?.otherCommits ?? 0) + (b.server?.otherCommits ?? 0), 0)];
    }),
  );
}

function frameworks(result: SuiteResult): string[] {
  return result.runs[0]?.throughput.map((r) => r.framework).sort() ?? [];
}

function payloadOf(run: SuiteRun): number | null {
  return phaseOf(run.throughput, "switchyard", "c1-counters")?.eventBytesPerStep ?? null;
}

/** Rows per framework and run; `fill` returns null when the framework lacks the phase. */
function rowsFor(result: SuiteResult, fill: (run: SuiteRun, framework: string) => string[] | null): string[][] {
  const rows: string[][] = [];
  for (const fw of frameworks(result)) {
    result.runs.forEach((run, i) => {
      const cells = fill(run, fw);
      if (cells) rows.push([fw, String(i + 1), ...cells]);
    });
  }
  return rows;
}

function c1Table(result: SuiteResult): string {
  const rows = rowsFor(result, (run, fw) => {
    const t = phaseOf(run.throughput, fw, "c1");
    const c = phaseOf(run.throughput, fw, "c1-counters");
    if (!t || !c) return null;
    const d = dOf(run.throughput, fw);
    const payload = payloadOf(run);
    const wal = c.server?.walBytesPerStep;
    return [
      fmt(d, 3),
      `${fmt(t.stepMeanMs)} (${fmt(t.stepMeanMs / d, 1)} D)`,
      `${fmt(t.stepP99Ms)} (${fmt(t.stepP99Ms / d, 1)} D)`,
      `${fmt(c.cpuMsPerStep, 3)} (${fmt(c.cpuMsPerStep / (t.d?.cpuMs ?? NaN), 1)}×)`,
      fmt(c.server?.commitsPerStep), fmt(c.server?.writeXactsPerStep), fmt(c.server?.walSyncsPerStep),
      `${fmt(wal, 0)}${payload && wal !== undefined ? ` (${fmt(wal / payload, 1)}×)` : ""}`,
      fmt(c.server?.otherCommits, 0),
    ];
  });
  return table(
    ["framework", "run", "D ms (same seconds)", "step mean ms (in D)", "step p99 ms (in D)", "CPU ms per step (× one insert's CPU)", "commits per step", "writing transactions per step", "WAL syncs per step", "WAL bytes per step (× event payload)", "other commits on the server"],
    rows,
  );
}

function c32Table(result: SuiteResult): string {
  const rows = rowsFor(result, (run, fw) => {
    const p = phaseOf(run.throughput, fw, "c32");
    if (!p) return null;
    const rate = p.insertRatePerSec ?? Number.NaN;
    return [
      fmt(p.stepsPerSec, 0), fmt(rate, 0), `${fmt((100 * p.stepsPerSec) / rate, 0)} %`,
      fmt(p.stepMeanMs), fmt(p.stepP99Ms), fmt(p.cpuMsPerStep, 3), fmt(p.server?.commitsPerStep), fmt(p.server?.writeXactsPerStep),
      fmt(p.server?.walSyncsPerStep), fmt(p.peakRssMiB, 0), fmt(p.server?.otherCommits, 0),
    ];
  });
  return table(
    ["framework", "run", "steps/s", "inserts/s at c=32 (same minute)", "steps/s ÷ inserts/s", "step mean ms", "step p99 ms", "CPU ms per step", "commits per step", "writing transactions per step", "WAL syncs per step", "peak RSS MiB", "other commits on the server"],
    rows,
  );
}

function latencyTable(result: SuiteResult): string {
  const rows = rowsFor(result, (run, fw) => {
    const p = phaseOf(run.latency, fw, "latency");
    if (!p) return null;
    const baseline = run.latency.find((r) => r.framework === fw)?.baselineRssMiB;
    return [
      `${fmt(p.wallMs / 1000)} (${fmt(p.wallMs / IDEAL_MS)}×)`, fmt(p.convP50Ms / 1000),
      `${fmt(p.convP99Ms / 1000)} (${fmt(p.convP99Ms / IDEAL_MS)}×)`, `${fmt(p.peakRssMiB, 0)} (${fmt(baseline, 0)})`, fmt(p.cpuMsPerStep, 3),
      fmt(p.server?.writeXactsPerStep), fmt(p.server?.walSyncsPerStep),
    ];
  });
  return table(["framework", "run", "wall s (× ideal 2.0 s)", "conversation p50 s", "conversation p99 s (× ideal)", "peak RSS MiB (after loading, before work)", "CPU ms per step", "writing transactions per step", "WAL syncs per step"], rows);
}

interface Target {
  name: string;
  limit: string;
  value: (run: SuiteRun) => number | null | undefined;
  show: (v: number) => string;
  ok: (v: number) => boolean;
}

const sy = (results: readonly ChildResult[], label: string) => phaseOf(results, "switchyard", label);
const syD = (run: SuiteRun) => dOf(run.throughput, "switchyard");

const targets: Target[] = [
  { name: "1. step overhead mean, c=1", limit: "≤ 1.5 D", value: (r) => (sy(r.throughput, "c1")?.stepMeanMs ?? NaN) / syD(r), show: (v) => `${fmt(v, 1)} D`, ok: (v) => v <= 1.5 },
  { name: "1. step overhead p99, c=1", limit: "≤ 6 D", value: (r) => (sy(r.throughput, "c1")?.stepP99Ms ?? NaN) / syD(r), show: (v) => `${fmt(v, 1)} D`, ok: (v) => v <= 6 },
  { name: "1. Node CPU per step, c=1", limit: "≤ 0.2 ms", value: (r) => sy(r.throughput, "c1-counters")?.cpuMsPerStep, show: (v) => `${fmt(v, 3)} ms`, ok: (v) => v <= 0.2 },
  { name: "2. writing transactions (durable commits) per step, c=1", limit: "≤ 1", value: (r) => sy(r.throughput, "c1-counters")?.server?.writeXactsPerStep, show: (v) => fmt(v), ok: (v) => v <= 1 },
  // Steps of different conversations sharing a durable flush: in the application (one transaction
  // for many steps) or in PostgreSQL (one WAL sync for many transactions), either counts.
  { name: "2. group commit at c=32: WAL syncs (durable flushes) per step", limit: "< 1", value: (r) => sy(r.throughput, "c32")?.server?.walSyncsPerStep ?? null, show: (v) => fmt(v), ok: (v) => v < 1 },
  { name: "2. WAL per step vs event payload", limit: "≤ 1.5×", value: (r) => { const p = sy(r.throughput, "c1-counters"); return p?.server && p.eventBytesPerStep ? p.server.walBytesPerStep / p.eventBytesPerStep : null; }, show: (v) => `${fmt(v, 1)}×`, ok: (v) => v <= 1.5 },
  { name: "3. steps/s at c=32 vs inserts/s at c=32", limit: "≥ 50 % (stretch 100 %)", value: (r) => { const p = sy(r.throughput, "c32"); return p?.insertRatePerSec ? p.stepsPerSec / p.insertRatePerSec : null; }, show: (v) => `${fmt(100 * v, 0)} %`, ok: (v) => v >= 0.5 },
  { name: "4. wall time, 1,000 × 4 steps × 500 ms", limit: "≤ 1.15× of 2.0 s", value: (r) => (sy(r.latency, "latency")?.wallMs ?? NaN) / IDEAL_MS, show: (v) => `${fmt(v)}×`, ok: (v) => v <= 1.15 },
  { name: "4. conversation p99", limit: "≤ 1.2× of 2.0 s", value: (r) => (sy(r.latency, "latency")?.convP99Ms ?? NaN) / IDEAL_MS, show: (v) => `${fmt(v)}×`, ok: (v) => v <= 1.2 },
  { name: "4. peak RSS", limit: "≤ 200 MiB", value: (r) => sy(r.latency, "latency")?.peakRssMiB, show: (v) => `${fmt(v, 0)} MiB`, ok: (v) => v <= 200 },
];

function targetTable(result: SuiteResult): string {
  const rows = targets.map((t) => {
    const values = result.runs.map((run) => t.value(run));
    const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    const verdict = known.length < values.length ? "not measured" : known.every(t.ok) ? "**meets**" : known.some(t.ok) ? "**does not meet** (met in one run)" : "**does not meet**";
    return [t.name, t.limit, ...values.map((v) => (typeof v === "number" && Number.isFinite(v) ? t.show(v) : "–")), verdict];
  });
  return table(["target (issue #11)", "limit", ...result.runs.map((_, i) => `run ${i + 1}`), "verdict"], rows);
}

function peerTable(result: SuiteResult): string {
  const each = (fn: (run: SuiteRun) => string) => result.runs.map(fn).join(" / ");
  const rows: string[][] = [];
  for (const fw of ["langgraph", "mastra"]) {
    if (!frameworks(result).includes(fw)) continue;
    const t = (r: SuiteRun) => phaseOf(r.throughput, fw, "c1");
    const c = (r: SuiteRun) => phaseOf(r.throughput, fw, "c1-counters");
    rows.push([
      fw,
      fw === "langgraph" ? "≈ 8 D, 2.75 commits, 1.7 ms CPU per step; ≥ 1.88× ideal" : "≈ 4 D, 2.5 commits per step; ≥ 1.88× ideal",
      each((r) => fmt((t(r)?.stepMeanMs ?? NaN) / dOf(r.throughput, fw), 1)),
      each((r) => fmt(c(r)?.server?.writeXactsPerStep)),
      each((r) => fmt(c(r)?.cpuMsPerStep)),
      each((r) => fmt((phaseOf(r.latency, fw, "latency")?.wallMs ?? NaN) / IDEAL_MS)),
    ]);
  }
  return table(["peer", "the issue's reference", "D per step (run 1 / 2)", "writing transactions per step", "CPU ms per step", "latency-bound wall × ideal"], rows);
}

export function renderRuntimeSection(result: SuiteResult, env: Environment): string {
  const o = result.options;
  const versions = Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(", ");
  const settings = Object.entries(env.serverSettings).map(([k, v]) => `${k}=${v}`).join(", ");
  return `## Runtime: Switchyard against LangGraph and Mastra (one run, same server)

Produced by \`${env.command}\` on ${env.date}. Every figure appears once per run; the suite ran
${o.repeats === 1 ? "once" : `${o.repeats} times`} in one invocation, the second time with the frameworks in reverse order. The
server is shared with other work: the "other commits on the server" column counts what else committed
during a phase (0 means the cluster-wide figures — writing transactions, WAL syncs, WAL bytes — are
clean).

- Machine: ${env.machine}; Node ${env.node}; load average at start ${env.loadAverage}.
- Server: ${env.server} (${settings}).
- Versions: ${versions}.
- Sizes: ${o.n1} conversations at concurrency 1 (twice: timed with D, then counted), ${o.n32} at
  concurrency 32, 4 steps each; latency-bound: ${o.latencyN} concurrent conversations with a ${o.delayMs} ms model.
  Each framework's process first runs an untimed warm-up of ${warmUpText()} (see "How it is measured").

### How it is measured

- **Workload** (\`scripts/bench/runtime/workload.ts\`): triage → research → respond → review, one
  model call per step, each step's answer (≈ 250 bytes of text) is the next step's input. The model
  is a function of the harness: instant, or ${o.delayMs} ms in the latency-bound run.
- **Per-step time** is cut at the model calls: step k runs from the framework calling the model for
  step k to calling it for step k + 1 (the first also includes starting the run, the last ends when
  the conversation resolves). With an instant model that is all framework overhead: bookkeeping,
  serialisation and durable writes.
- **D** is one durable single-row 1 KB JSONB insert with postgres.js at concurrency 1 (its own
  database on the same server). fsync time on this shared machine drifts by several times within
  minutes, so each framework's D is measured in the same seconds as its steps: one insert after
  each of its concurrency-1 conversations. Likewise the insert rate at concurrency 32 is taken
  right before and after each framework's concurrency-32 phase (mean of the two). The separate
  ceiling table shows the same inserts on their own, with their server counters.
- **Counters and CPU at concurrency 1** come from a second concurrency-1 phase without the
  interleaved inserts (they would count as the framework's writes).
- **Warm-up**: before any measured phase, each framework's process (throughput and latency-bound
  alike) runs ${warmUpText()} untimed, plus ${WARM_UP_INSERTS.toLocaleString("en-US")} raw inserts. A production worker runs for
  hours, so the phases measure a process past V8's tier-up: until V8 has optimised the hot paths,
  a step costs several times its steady CPU. The same Switchyard code measured 0.35 ms of CPU per
  step over its first 250 conversations at concurrency 1 and 0.09–0.11 ms from the 1,250th on (one
  process, 250-conversation blocks; the same curve with V8's background threads off). Before the
  seventh pass the warm-up was 148 conversations, so earlier tables include part of that cost, for
  every framework.
- **Statistics**: after its warm-up, each framework's database is analyzed (\`ANALYZE\`), as
  autovacuum does for a database that has run a while. A new scratch database has no statistics,
  and each connection caches its statements' plans from their first executions, when the tables
  were nearly empty; the analysis invalidates them. Before the fourteenth pass there was none,
  and Switchyard's commit hashed the whole runs table on every step under such a plan
  (the fourteenth pass, below).
- **Switchyard**: \`RunLoop.start\` through the production \`PgRunStore\` and \`PgToolLedger\`: one
  commit per step, each with its events (one step row, whose key guards the commit), its stored
  spans and LLM calls, and the run row (checkpoint, seq, cost and token totals) where production
  stores one: with the creation, every 8th step, and when the run parks or settles (the steps
  between write their events only, which a takeover replays); the
  run's creation rides with its first step (nobody has heard of the run before that commit). The
  conversation row exists beforehand. Through the public API a run is created on its own instead,
  in the API's transaction with the conversation and the customer's message (one more commit per
  run, which that request needs anyway to answer), and a worker then claims it. Not included: the worker's claim loop, LISTEN/NOTIFY and
  leases (runs are driven directly with the given concurrency, like the peers' \`invoke\`/\`start\`).
  Under concurrency, commits (creation, steps, settlement) that queue behind two in flight share one statement and
  transaction (group commit, \`lib/runs/commit-batch.ts\`); each still waits for its own durability.
- **LangGraph**: a 4-node \`StateGraph\` with \`PostgresSaver\` and \`durability: "sync"\` (each
  super-step waits for its checkpoint, the same guarantee; the default "async" does not wait).
- **Mastra**: a 4-step workflow with \`PostgresStore\` (snapshots persisted as the run advances,
  awaited); AI tracing off, its default.
- **Counters**: commits per step from \`pg_stat_database.xact_commit\` of the framework's own
  scratch database (read-only transactions included, read after an 11 s wait so every backend has
  flushed its statistics); writing transactions from the transaction-id counter, WAL syncs from
  \`pg_stat_wal\`, WAL bytes from \`pg_current_wal_lsn()\` (these three are cluster-wide). CPU is
  \`process.cpuUsage()\` of the framework's process (driver included) over the phase; peak RSS is the
  process's \`maxRSS\`. Each framework runs in its own process with a pool of 32 connections,
  from its entry compiled with esbuild and started by plain \`node ${WORKER_NODE_FLAGS.join(" ")}\`, as
  \`npm run worker\` starts Switchyard's worker (not through tsx, whose loader holds ~100 MiB).
  "× one insert's CPU" divides by the Node CPU of one interleaved raw insert (driver, encoding,
  socket write), the floor for anything that writes once per step, which puts the 0.2 ms target
  in perspective.
- "Event payload" is the JSON of Switchyard's events per step (${fmt(payloadOf(result.runs[0]!), 0)}
  bytes in run 1): the information one step must make durable; the peers' WAL is compared with it too.

### Targets

${targetTable(result)}

### Raw ceiling on its own (postgres.js, single-row 1 KB JSONB insert, one commit each)

${ceilingTable(result)}

### Concurrency 1 (instant model)

${c1Table(result)}

### Concurrency 32 in one process (instant model)

${c32Table(result)}

### Latency-bound: ${o.latencyN} concurrent conversations × 4 steps × ${o.delayMs} ms model (ideal ${IDEAL_MS / 1000} s)

${latencyTable(result)}

### The peers against the issue's reference figures

${peerTable(result)}
`;
}
