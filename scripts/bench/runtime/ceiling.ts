import { parseArgs } from "node:util";
import type { ChildResult, PhaseResult } from "./child";
import { type Counters, cpuMsSince, delta, drive, mean, peakRssMiB, percentile, Probe } from "./measure";
import { RawInserter } from "./raw-insert";

/**
 * The raw ceiling on its own: single-row 1 KB JSONB inserts with postgres.js at concurrency 1 and
 * 32, with the same server counters as the frameworks (commits, WAL syncs and bytes per insert).
 * Reported as a ChildResult whose "steps" are inserts, so the report treats it like a framework.
 */
const { values } = parseArgs({
  options: {
    url: { type: "string" },
    "admin-url": { type: "string" },
    db: { type: "string" },
    n1: { type: "string", default: "1000" },
    n32: { type: "string", default: "8000" },
    pool: { type: "string", default: "32" },
    "settle-ms": { type: "string", default: "11000" },
  },
});

const raw = new RawInserter(values.url!, Number(values.pool));
const probe = new Probe(values["admin-url"]!, values.db!, Number(values["settle-ms"]));

async function phase(label: string, count: number, concurrency: number, before: Counters) {
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const wallMs = await drive(count, concurrency, async () => void samples.push(await raw.insert()));
  const cpuMs = cpuMsSince(cpu);
  const after = await probe.read();
  const c = delta(before, after);
  const result: PhaseResult = {
    label,
    concurrency,
    conversations: count,
    steps: count,
    delayMs: 0,
    wallMs,
    stepsPerSec: count / (wallMs / 1000),
    stepMeanMs: mean(samples),
    stepP50Ms: percentile(samples, 50),
    stepP99Ms: percentile(samples, 99),
    convP50Ms: percentile(samples, 50),
    convP99Ms: percentile(samples, 99),
    convMaxMs: Math.max(...samples),
    cpuMsPerStep: cpuMs / count,
    peakRssMiB: peakRssMiB(),
    server: {
      commitsPerStep: c.commits / count,
      writeXactsPerStep: c.nextXid / count,
      walSyncsPerStep: c.walSyncs / count,
      walBytesPerStep: c.walBytes / count,
      otherCommits: c.otherCommits,
    },
    eventBytesPerStep: raw.documentBytes,
    d: null,
    insertRatePerSec: null,
  };
  return { result, after };
}

try {
  await raw.setup();
  await raw.rate(200, 1);
  await raw.rate(1_000, 32);
  const first = await phase("c1", Number(values.n1), 1, await probe.read());
  const second = await phase("c32", Number(values.n32), 32, first.after);
  const result: ChildResult = { framework: "postgres.js", mode: "throughput", phases: [first.result, second.result] };
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await raw.end();
  await probe.close();
}
