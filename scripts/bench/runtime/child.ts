import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { analyzeDatabase, type Counters, cpuMsSince, delta, drive, mean, peakRssMiB, percentile, Probe } from "./measure";
import { RawInserter } from "./raw-insert";
import { type Adapter, FINAL_OUTPUT, STAGE_OUTPUT, STAGES, type StepModel } from "./workload";

/** Server counters of a phase, per step (cluster-wide ones flagged by `otherCommits`). */
export interface ServerCounts {
  commitsPerStep: number;
  writeXactsPerStep: number;
  walSyncsPerStep: number;
  walBytesPerStep: number;
  otherCommits: number;
}

export interface Distribution {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Node CPU per insert (driver, encoding, socket writes): the floor for a step's CPU. */
  cpuMs: number;
}

/** One timed phase of one framework, as the child process reports it. */
export interface PhaseResult {
  label: string;
  concurrency: number;
  conversations: number;
  steps: number;
  delayMs: number;
  wallMs: number;
  stepsPerSec: number;
  /** Per step, the model's delay excluded: the framework's own time (overhead). */
  stepMeanMs: number;
  stepP50Ms: number;
  stepP99Ms: number;
  convP50Ms: number;
  convP99Ms: number;
  convMaxMs: number;
  cpuMsPerStep: number;
  peakRssMiB: number;
  /** Null for a phase whose timing was disturbed on purpose (interleaved D inserts). */
  server: ServerCounts | null;
  eventBytesPerStep: number | null;
  /** D measured between this phase's conversations (one raw insert after each). */
  d: Distribution | null;
  /** The raw insert rate at the phase's concurrency, measured right before and after it. */
  insertRatePerSec: number | null;
}

export interface ChildResult {
  framework: string;
  mode: "throughput" | "latency";
  /** Resident set after loading the framework and connecting, before any conversation. */
  baselineRssMiB?: number;
  phases: PhaseResult[];
}

interface Plan {
  label: string;
  conversations: number;
  concurrency: number;
  delayMs: number;
  /** One raw insert after each conversation (concurrency 1 only): D in the same seconds. */
  interleaveD?: boolean;
}

interface Prepared extends Plan {
  ids: string[];
}

/**
 * Runs one conversation and splits its wall time into four step samples at the model calls: step
 * k runs from the framework calling the model for step k to it calling the model for step k+1
 * (the first also includes starting the run, the last ends when the conversation resolves). With
 * an instant model a sample is exactly what the framework adds to a step: its bookkeeping,
 * serialisation and durable writes.
 */
async function converseTimed<Ctx>(adapter: Adapter<Ctx>, ctx: Ctx, id: string, delayMs: number) {
  const marks: number[] = [];
  const model: StepModel = async (stage) => {
    marks.push(performance.now());
    if (delayMs > 0) await sleep(delayMs);
    else await Promise.resolve();
    return STAGE_OUTPUT[stage];
  };
  const start = performance.now();
  const answer = await adapter.converse(ctx, id, model);
  const end = performance.now();
  if (marks.length !== STAGES.length) {
    throw new Error(`${adapter.name}: ${marks.length} model calls in conversation ${id}, expected ${STAGES.length}`);
  }
  if (answer !== FINAL_OUTPUT) throw new Error(`${adapter.name}: conversation ${id} did not end with the review's answer`);
  const points = [start, ...marks.slice(1), end];
  const steps = STAGES.map((_, k) => points[k + 1]! - points[k]! - delayMs);
  return { steps, total: end - start };
}

const distribution = (samples: number[], cpuMs: number): Distribution => ({
  meanMs: mean(samples),
  p50Ms: percentile(samples, 50),
  p99Ms: percentile(samples, 99),
  cpuMs: cpuMs / Math.max(1, samples.length),
});

async function timePhase<Ctx>(adapter: Adapter<Ctx>, ctx: Ctx, plan: Prepared, raw: RawInserter) {
  const stepSamples: number[] = [];
  const convSamples: number[] = [];
  const dSamples: number[] = [];
  let dCpuMs = 0;
  const cpu = process.cpuUsage();
  const wallMs = await drive(plan.ids.length, plan.concurrency, async (i) => {
    const { steps, total } = await converseTimed(adapter, ctx, plan.ids[i]!, plan.delayMs);
    stepSamples.push(...steps);
    convSamples.push(total);
    if (plan.interleaveD) {
      // Concurrency 1: nothing else runs, so the process's CPU during the insert is the insert's.
      const before = process.cpuUsage();
      dSamples.push(await raw.insert());
      dCpuMs += cpuMsSince(before);
    }
  });
  const cpuMs = cpuMsSince(cpu);
  const steps = stepSamples.length;
  const result: PhaseResult = {
    label: plan.label,
    concurrency: plan.concurrency,
    conversations: plan.ids.length,
    steps,
    delayMs: plan.delayMs,
    // Interleaved inserts are excluded from the step samples but not from wall time and CPU.
    wallMs,
    stepsPerSec: steps / (wallMs / 1000),
    stepMeanMs: mean(stepSamples),
    stepP50Ms: percentile(stepSamples, 50),
    stepP99Ms: percentile(stepSamples, 99),
    convP50Ms: percentile(convSamples, 50),
    convP99Ms: percentile(convSamples, 99),
    convMaxMs: Math.max(...convSamples),
    cpuMsPerStep: cpuMs / steps,
    peakRssMiB: peakRssMiB(),
    server: null,
    eventBytesPerStep: null,
    d: plan.interleaveD ? distribution(dSamples, dCpuMs) : null,
    insertRatePerSec: null,
  };
  return result;
}

function perStep(c: Counters, steps: number): ServerCounts {
  return {
    commitsPerStep: c.commits / steps,
    writeXactsPerStep: c.nextXid / steps,
    walSyncsPerStep: c.walSyncs / steps,
    walBytesPerStep: c.walBytes / steps,
    otherCommits: c.otherCommits,
  };
}

/**
 * The throughput phases. Timing at concurrency 1 comes from a phase with D interleaved; its
 * counters would include the inserts, so a second concurrency-1 phase without them is counted.
 * Counted phases run back to back between counter readings (nothing else may touch the server
 * from this process in between); the insert rate at 32 is taken right before and after the
 * concurrency-32 phase, outside its readings.
 */
async function throughput<Ctx>(adapter: Adapter<Ctx>, ctx: Ctx, probe: Probe, raw: RawInserter, n1: number, n32: number) {
  const plans: Plan[] = [
    { label: "c1", conversations: n1, concurrency: 1, delayMs: 0, interleaveD: true },
    { label: "c1-counters", conversations: n1, concurrency: 1, delayMs: 0 },
    { label: "c32", conversations: n32, concurrency: 32, delayMs: 0 },
  ];
  const [timed, counted1, counted32] = await prepareAll(adapter, ctx, plans);
  const c1 = await timePhase(adapter, ctx, timed!, raw);
  const insertCount = Math.max(2_000, n32 * 2);
  const rateBefore = await raw.rate(insertCount, 32);
  const r0 = await probe.read();
  const p1 = await timePhase(adapter, ctx, counted1!, raw);
  const r1 = await probe.read();
  const p32 = await timePhase(adapter, ctx, counted32!, raw);
  const r2 = await probe.read();
  const rateAfter = await raw.rate(insertCount, 32);
  p1.server = perStep(delta(r0, r1), p1.steps);
  p32.server = perStep(delta(r1, r2), p32.steps);
  p32.insertRatePerSec = (rateBefore + rateAfter) / 2;
  await addEventBytes(adapter, ctx, [timed!, counted1!, counted32!], [c1, p1, p32]);
  return [c1, p1, p32];
}

async function latencyBound<Ctx>(adapter: Adapter<Ctx>, ctx: Ctx, probe: Probe, raw: RawInserter, n: number, delayMs: number) {
  const [plan] = await prepareAll(adapter, ctx, [{ label: "latency", conversations: n, concurrency: n, delayMs }]);
  const before = await probe.read();
  const result = await timePhase(adapter, ctx, plan!, raw);
  result.server = perStep(delta(before, await probe.read()), result.steps);
  return [result];
}

async function prepareAll<Ctx>(adapter: Adapter<Ctx>, ctx: Ctx, plans: Plan[]): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const plan of plans) out.push({ ...plan, ids: await adapter.prepare(ctx, plan.conversations, plan.label) });
  return out;
}

async function addEventBytes<Ctx>(adapter: Adapter<Ctx>, ctx: Ctx, plans: Prepared[], results: PhaseResult[]) {
  if (!adapter.eventBytes) return;
  for (const [i, plan] of plans.entries()) results[i]!.eventBytesPerStep = (await adapter.eventBytes(ctx, plan.ids)) / results[i]!.steps;
}

/**
 * Untimed conversations first, the same for every framework, so the phases measure a process in
 * its steady state, as a long-running worker is: connection pool and table caches warm, and V8
 * done optimising the hot paths. That last part is what needs the numbers: Switchyard took about
 * 1,000 conversations at concurrency 1 to settle (0.35 ms of CPU per step over the first 250,
 * 0.09–0.11 after 1,250; docs/benchmarks.md). Concurrency 1 last: after a warm-up at 32 alone,
 * the first 250 conversations at 1 still cost 0.23–0.26 ms per step.
 */
export const WARM_UP: readonly (readonly [conversations: number, concurrency: number])[] = [
  [1_000, 32],
  [500, 1],
];
/** Raw inserts after the conversations, so D and the insert rate are measured warm as well. */
export const WARM_UP_INSERTS = 2_000;

async function warmUp<Ctx>(adapter: Adapter<Ctx>, ctx: Ctx, raw: RawInserter) {
  for (const [count, concurrency] of WARM_UP) {
    const ids = await adapter.prepare(ctx, count, "warmup");
    await drive(ids.length, concurrency, async (i) => void (await converseTimed(adapter, ctx, ids[i]!, 0)));
  }
  await raw.rate(WARM_UP_INSERTS, 32);
}

/**
 * Entry point of a benchmark child process (one framework, one mode, its own scratch database,
 * plus a second one for the raw inserts). Prints one `RESULT {json}` line for suite.ts.
 */
export async function runChild<Ctx>(adapter: Adapter<Ctx>): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: "string", default: "throughput" },
      url: { type: "string" },
      "raw-url": { type: "string" },
      "admin-url": { type: "string" },
      db: { type: "string" },
      n1: { type: "string", default: "300" },
      n32: { type: "string", default: "1500" },
      "latency-n": { type: "string", default: "1000" },
      "delay-ms": { type: "string", default: "500" },
      pool: { type: "string", default: "32" },
      "settle-ms": { type: "string", default: "11000" },
    },
  });
  const mode = values.mode === "latency" ? "latency" : "throughput";
  const probe = new Probe(values["admin-url"]!, values.db!, Number(values["settle-ms"]));
  const raw = new RawInserter(values["raw-url"]!, Number(values.pool));
  const ctx = await adapter.open(values.url!, Number(values.pool));
  const baselineRssMiB = process.memoryUsage.rss() / 2 ** 20;
  let phases: PhaseResult[];
  try {
    await raw.setup();
    await warmUp(adapter, ctx, raw);
    await analyzeDatabase(values.url!);
    phases =
      mode === "throughput"
        ? await throughput(adapter, ctx, probe, raw, Number(values.n1), Number(values.n32))
        : await latencyBound(adapter, ctx, probe, raw, Number(values["latency-n"]), Number(values["delay-ms"]));
  } finally {
    await adapter.close(ctx);
    await raw.end();
    await probe.close();
  }
  const result: ChildResult = { framework: adapter.name, mode, baselineRssMiB, phases };
  console.log(`RESULT ${JSON.stringify(result)}`);
}
