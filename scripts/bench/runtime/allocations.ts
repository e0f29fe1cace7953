import { Session } from "node:inspector/promises";
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { newTraceId } from "@/lib/ids";
import { createRunLoop } from "@/lib/runs/runtime";
import { benchChain, benchParts, createConversations } from "./switchyard-parts";
import { CUSTOMER_MESSAGE, instantModel } from "./workload";

/**
 * What a Switchyard step allocates on the JS heap, and what the garbage collector then costs, at
 * concurrency 32 through the production write path (`npm run bench -- --only allocations`).
 * Unlike time, bytes allocated per step barely move with the machine's load, so this is the
 * figure to compare between two versions of the hot path. Under concurrency the collector is a
 * large share of a step's Node CPU: conversations in flight survive the scavenges that their own
 * garbage triggers.
 */
const CONCURRENCY = 32;
const WARM_UP = 1_500;
const STEPS_PER_CONVERSATION = 4;
/** V8's sampling heap profiler: one sample per this many bytes allocated, on average. */
const SAMPLING_BYTES = 1_024;
const TOP = 14;

export async function runAllocations(serverUrl: string, conversations = 1_000): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const name = `sy_bench_alloc_${Date.now()}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: CONCURRENCY, onnotice: () => {} });
  try {
    const db: Database = drizzle({ client, schema });
    await migrate(drizzle({ client }), { migrationsFolder: path.resolve("db/migrations") });
    await drive(db, await createConversations(db, WARM_UP));
    // The conversation rows are made beforehand, as the runtime benchmark makes them: inserting
    // them is the harness's work, not a step's.
    const timed = await createConversations(db, conversations);
    const gc = await gcDuring(() => drive(db, timed));
    const sampled = await createConversations(db, conversations);
    const profile = await sampleAllocations(() => drive(db, sampled));
    return render(profile, gc, conversations * STEPS_PER_CONVERSATION);
  } finally {
    await client.end();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

/** A run of the bench chain in each of these conversations, `CONCURRENCY` at a time. */
async function drive(db: Database, ids: readonly string[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const loop = createRunLoop(db, benchParts(instantModel), { newRun: { conversationId: id, traceId: newTraceId() } });
      await loop.start(benchChain.name, CUSTOMER_MESSAGE);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

interface GcTotals {
  ms: number;
  pauses: number;
}

/** Collector pauses while `work` runs (without the profiler, which would add its own). */
async function gcDuring(work: () => Promise<void>): Promise<GcTotals> {
  const totals: GcTotals = { ms: 0, pauses: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      totals.ms += entry.duration;
      totals.pauses += 1;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  try {
    await work();
    // Entries are delivered asynchronously: let the last ones arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    observer.disconnect();
  }
  return totals;
}

export interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

/** Every allocation of `work`, sampled, collected objects included (not only the survivors). */
async function sampleAllocations(work: () => Promise<void>): Promise<ProfileNode> {
  const session = new Session();
  session.connect();
  try {
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: SAMPLING_BYTES,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await work();
    const { profile } = (await session.post("HeapProfiler.stopSampling")) as { profile: { head: ProfileNode } };
    return profile.head;
  } finally {
    session.disconnect();
  }
}

/** Bytes allocated by each function itself, keyed by name and place. */
export function selfBytes(head: ProfileNode): Map<string, number> {
  const out = new Map<string, number>();
  const stack = [head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.selfSize > 0) {
      const key = placeOf(node.callFrame);
      out.set(key, (out.get(key) ?? 0) + node.selfSize);
    }
    stack.push(...node.children);
  }
  return out;
}

/** Function and file: line numbers of our TypeScript would be tsx's output, not the source's. */
function placeOf({ functionName, url }: ProfileNode["callFrame"]): string {
  const name = functionName || "(anonymous)";
  if (!url) return `${name} (V8 or Node)`;
  const file = url.replace(/^file:\/\//, "");
  const modules = file.lastIndexOf("node_modules/");
  const shown = modules >= 0 ? file.slice(modules + "node_modules/".length) : path.relative(process.cwd(), file);
  return `${name} (${shown})`;
}

function render(head: ProfileNode, gc: GcTotals, steps: number): string {
  const bytes = selfBytes(head);
  const total = [...bytes.values()].reduce((a, b) => a + b, 0);
  const top = [...bytes].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  const kb = (n: number) => (n / 1024).toFixed(1);
  return `## What a Switchyard step allocates (concurrency ${CONCURRENCY})

Produced by \`npm run bench -- --only allocations\`: after ${WARM_UP.toLocaleString("en")} untimed conversations, ${(steps / STEPS_PER_CONVERSATION).toLocaleString("en")} conversations
(${steps.toLocaleString("en")} steps) at concurrency ${CONCURRENCY} through the production write path, in the bench's own
process, twice: once counting the collector's pauses, once under V8's sampling heap profiler (one
sample per ${SAMPLING_BYTES} bytes on average, collected objects included). Bytes per step barely depend on
the machine's load, unlike the timings above.

| figure | per step |
| --- | --- |
| bytes allocated (sampled) | ${kb(total / steps)} KB |
| collector pauses (count, and their time on the main thread) | ${(gc.pauses / steps).toFixed(3)} (${(gc.ms / steps).toFixed(3)} ms) |

Where the bytes are allocated (by the function itself; ${TOP} largest):

| function | KB per step | share |
| --- | --- | --- |
${top.map(([key, n]) => `| \`${key}\` | ${kb(n / steps)} | ${((100 * n) / total).toFixed(0)} % |`).join("\n")}
`;
}
