import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { bundleEntry, WORKER_NODE_FLAGS } from "../../bundle";
import type { ChildResult } from "./child";

/**
 * Orchestrates the runtime benchmark: every framework runs in its own child process (so CPU and
 * peak RSS are its own) against its own scratch database on the same server, one after another,
 * and the whole sequence repeats (`repeats`, default 2) with the order reversed, so each figure
 * appears twice and no framework always goes first.
 *
 * Every child runs the same way, as a production worker does: its entry compiled with esbuild
 * (packages external, scripts/bundle.ts) and started by plain `node` with the worker's flags
 * (WORKER_NODE_FLAGS), not through tsx, whose loader alone holds about 100 MiB.
 */
export const frameworkNames = ["switchyard", "langgraph", "mastra"] as const;
export type FrameworkName = (typeof frameworkNames)[number];

type ChildName = FrameworkName | "ceiling";

/** Each child's entry, and the folder whose node_modules its packages come from. */
const entries: Record<ChildName, { entry: string; root: string }> = {
  ceiling: { entry: "scripts/bench/runtime/ceiling.ts", root: "." },
  switchyard: { entry: "scripts/bench/runtime/switchyard.ts", root: "." },
  langgraph: { entry: "bench/langgraph.ts", root: "bench" },
  mastra: { entry: "bench/mastra.ts", root: "bench" },
};

/** Compiles every child this run needs; resolves with the file each one runs. */
async function buildChildren(names: readonly ChildName[]): Promise<Record<string, string>> {
  const built: Record<string, string> = {};
  for (const name of names) {
    const { entry, root } = entries[name];
    // Below its root, so that Node finds the packages where tsx found them for the source.
    built[name] = await bundleEntry(entry, path.join(root, ".data", "bench-build", name));
  }
  return built;
}

export interface SuiteOptions {
  serverUrl: string;
  frameworks: readonly FrameworkName[];
  repeats: number;
  /** Conversations at concurrency 1 and 32 (throughput), and in the latency-bound run. */
  n1: number;
  n32: number;
  latencyN: number;
  delayMs: number;
  settleMs: number;
  /** Writes V8 CPU profiles of the Switchyard children (throughput, latency) into this directory. */
  profileDir?: string;
}

export interface SuiteRun {
  ceiling: ChildResult;
  throughput: ChildResult[];
  latency: ChildResult[];
}

export interface SuiteResult {
  options: SuiteOptions;
  runs: SuiteRun[];
}

export async function runRuntimeSuite(options: SuiteOptions): Promise<SuiteResult> {
  if (options.frameworks.some((f) => f !== "switchyard")) await ensurePeersInstalled();
  const built = await buildChildren(["ceiling", ...options.frameworks]);
  const runs: SuiteRun[] = [];
  for (let r = 0; r < options.repeats; r++) {
    const order = r % 2 === 0 ? [...options.frameworks] : [...options.frameworks].reverse();
    log(`run ${r + 1}/${options.repeats}: raw ceiling`);
    const ceiling = await child(options, built, "ceiling", []);
    const profile = (name: ChildName, mode: string) =>
      options.profileDir && name === "switchyard"
        ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=switchyard-${mode}-${r + 1}.cpuprofile`]
        : [];
    const throughput: ChildResult[] = [];
    for (const name of order) {
      log(`run ${r + 1}/${options.repeats}: ${name}, concurrency 1 and 32`);
      throughput.push(await child(options, built, name, ["--mode", "throughput"], profile(name, "throughput")));
    }
    const latency: ChildResult[] = [];
    for (const name of order) {
      log(`run ${r + 1}/${options.repeats}: ${name}, ${options.latencyN} conversations × ${options.delayMs} ms model`);
      latency.push(await child(options, built, name, ["--mode", "latency"], profile(name, "latency")));
    }
    runs.push({ ceiling, throughput, latency });
  }
  return { options, runs };
}

/** One child process on a fresh scratch database, dropped afterwards whatever happens. */
async function child(
  options: SuiteOptions,
  built: Record<string, string>,
  name: ChildName,
  args: string[],
  nodeFlags: string[] = [],
): Promise<ChildResult> {
  const admin = postgres(options.serverUrl, { max: 1, onnotice: () => {} });
  const db = `sy_bench_${process.pid}_${name}_${Date.now()}`;
  // The raw inserts a framework's child interleaves go to their own database, so they never
  // count among the framework's commits.
  const rawDb = `${db}_raw`;
  const urlOf = (database: string) => {
    const url = new URL(options.serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  await admin.unsafe(`create database "${db}"`);
  await admin.unsafe(`create database "${rawDb}"`);
  try {
    const stdout = await spawnNode([...WORKER_NODE_FLAGS, ...nodeFlags, built[name]!], [
      "--url", urlOf(db),
      "--admin-url", options.serverUrl,
      "--db", db,
      "--settle-ms", String(options.settleMs),
      ...(name === "ceiling"
        ? ["--n1", String(options.n1 * 4), "--n32", String(options.n32 * 4)]
        : ["--raw-url", urlOf(rawDb), "--n1", String(options.n1), "--n32", String(options.n32), "--latency-n", String(options.latencyN), "--delay-ms", String(options.delayMs)]),
      ...args,
    ]);
    const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`${name}: the benchmark child printed no RESULT line`);
    return JSON.parse(line.slice("RESULT ".length)) as ChildResult;
  } finally {
    await admin.unsafe(`drop database if exists "${db}" with (force)`);
    await admin.unsafe(`drop database if exists "${rawDb}" with (force)`);
    await admin.end();
  }
}

function spawnNode(nodeArgs: string[], args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.on("error", reject);
    proc.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${nodeArgs.at(-1)} exited ${code}\n${out.slice(-2000)}`))));
  });
}

/** The peers live in bench/ with their own lockfile, so the app's install never pulls them in. */
async function ensurePeersInstalled(): Promise<void> {
  if (existsSync("bench/node_modules/@langchain/langgraph/package.json") && existsSync("bench/node_modules/@mastra/core/package.json")) return;
  log("installing the peer frameworks into bench/node_modules (npm ci --prefix bench)");
  await new Promise<void>((resolve, reject) => {
    const npm = spawn("npm", ["ci", "--prefix", "bench", "--no-audit", "--no-fund"], { stdio: "inherit" });
    npm.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`npm ci --prefix bench exited ${code}`))));
  });
}

/** Installed versions of what was measured, read from the package manifests. */
export function installedVersions(): Record<string, string> {
  const read = (dir: string, name: string) => {
    const file = path.join(dir, "node_modules", name, "package.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : "not installed";
  };
  const root = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
  return {
    switchyard: root,
    postgres: read(".", "postgres"),
    "drizzle-orm": read(".", "drizzle-orm"),
    "@langchain/langgraph": read("bench", "@langchain/langgraph"),
    "@langchain/langgraph-checkpoint-postgres": read("bench", "@langchain/langgraph-checkpoint-postgres"),
    "@langchain/core": read("bench", "@langchain/core"),
    "@mastra/core": read("bench", "@mastra/core"),
    "@mastra/pg": read("bench", "@mastra/pg"),
    pg: read("bench", "pg"),
    "pg-promise": read("bench", "pg-promise"),
  };
}

function log(message: string) {
  console.log(`[bench] ${message}`);
}
