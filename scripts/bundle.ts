import { rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/**
 * Node flags of a compiled worker: `npm run worker` starts dist/worker.mjs with them, and the
 * runtime benchmark starts every framework's child with them (keep package.json in step; a unit
 * test checks). A cap on the heap is what a worker in a container sets anyway; it also makes V8
 * grow the heap in smaller steps: with no cap, on a machine with many GiB, V8 lets the old
 * generation grow to up to 4× what survived the last full collection before collecting again,
 * and with 1 GiB to about 1.6×. A worker's garbage is short-lived (each step's request, state
 * copy and statement text), so the resident set stays near what is live, for a few more full
 * collections (about 10 % more CPU per step in the latency-bound benchmark). Raise it for a
 * worker that holds very large conversations.
 */
export const WORKER_NODE_FLAGS = ["--max-old-space-size=1024"] as const;

/**
 * Compiles one TypeScript entry point, with our modules it imports, into `outdir` (emptied first:
 * chunk names change with their content) as ES modules for plain `node`; resolves with the path
 * of the file to run (`<outdir>/<entry name>.mjs`).
 * Dynamic imports become chunks of their own, so what a process loads lazily (the AI SDK on the
 * simulator) stays unloaded. Packages stay external: Node resolves them from the output's folder
 * upwards, so `outdir` must sit where the entry's `node_modules` can be found. Why not tsx at run
 * time: its loader thread and per-module transforms cost about 100 MiB of resident memory before
 * the first run (docs/benchmarks.md, "Peak RSS").
 */
export async function bundleEntry(entry: string, outdir: string): Promise<string> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [entry],
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // Resolves the `@/…` paths of tsconfig.json.
    tsconfig: "tsconfig.json",
    sourcemap: "linked",
    logLevel: "warning",
  });
  return path.join(outdir, `${path.basename(entry, path.extname(entry))}.mjs`);
}
