import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type ReportFile, writeSection } from "@/scripts/report/sections";
import type { ChildResult, PhaseResult } from "@/scripts/bench/runtime/child";
import { percentile } from "@/scripts/bench/runtime/measure";
import { type Environment, renderRuntimeSection } from "@/scripts/bench/runtime/report";
import type { SuiteResult } from "@/scripts/bench/runtime/suite";

describe("benchmark report file", () => {
  const tmp = (): ReportFile => ({
    path: path.join(mkdtempSync(path.join(os.tmpdir(), "bench-")), "benchmarks.md"),
    marker: "bench",
    header: "# Benchmarks\n",
  });

  it("replaces only its own section and keeps hand-written text and other sections", () => {
    const file = tmp();
    writeFileSync(file.path, "# B\n\n<!-- bench:runtime -->\nold runtime\n<!-- /bench:runtime -->\n\nhand-written analysis\n\n<!-- bench:console -->\nconsole v1\n<!-- /bench:console -->\n");
    writeSection(file, "runtime", "new runtime");
    const doc = readFileSync(file.path, "utf8");
    expect(doc).toContain("<!-- bench:runtime -->\nnew runtime\n<!-- /bench:runtime -->");
    expect(doc).not.toContain("old runtime");
    expect(doc).toContain("hand-written analysis");
    expect(doc).toContain("console v1");
  });

  it("creates the file with its header, and appends a section it does not have yet", () => {
    const file = tmp();
    writeSection(file, "console", "console body");
    writeSection(file, "runtime", "runtime body");
    const doc = readFileSync(file.path, "utf8");
    expect(doc.startsWith("# Benchmarks")).toBe(true);
    expect(doc.indexOf("console body")).toBeLessThan(doc.indexOf("runtime body"));
  });
});

describe("percentile", () => {
  it("is nearest-rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });
});

function phase(label: string, over: Partial<PhaseResult>): PhaseResult {
  return {
    label, concurrency: 1, conversations: 10, steps: 40, delayMs: 0, wallMs: 100, stepsPerSec: 400,
    stepMeanMs: 1, stepP50Ms: 1, stepP99Ms: 2, convP50Ms: 4, convP99Ms: 5, convMaxMs: 6, cpuMsPerStep: 0.1,
    peakRssMiB: 120, server: null, eventBytesPerStep: null, d: null, insertRatePerSec: null, ...over,
  };
}

const server = { commitsPerStep: 1, writeXactsPerStep: 1, walSyncsPerStep: 0.3, walBytesPerStep: 1000, otherCommits: 0 };

/** A Switchyard that meets every target, except the step mean when `slow` (2 D instead of 1 D). */
function run(slow: boolean) {
  const throughput: ChildResult = {
    framework: "switchyard",
    mode: "throughput",
    phases: [
      phase("c1", { stepMeanMs: slow ? 2 : 1, stepP99Ms: 3, d: { meanMs: 1, p50Ms: 1, p99Ms: 2, cpuMs: 0.05 } }),
      phase("c1-counters", { server, eventBytesPerStep: 800 }),
      phase("c32", { concurrency: 32, stepsPerSec: 3000, insertRatePerSec: 4000, server }),
    ],
  };
  const latency: ChildResult = { framework: "switchyard", mode: "latency", phases: [phase("latency", { wallMs: 2100, convP99Ms: 2200, peakRssMiB: 150 })] };
  const ceiling: ChildResult = { framework: "postgres.js", mode: "throughput", phases: [phase("c1", { server }), phase("c32", { server })] };
  return { ceiling, throughput: [throughput], latency: [latency] };
}

const env: Environment = {
  machine: "test", node: "v20", server: "PostgreSQL", serverSettings: {}, versions: {}, loadAverage: "0", command: "npm run bench", date: "2026-01-01",
};

function verdictOf(section: string, target: string): string {
  const line = section.split("\n").find((l) => l.startsWith(`| ${target}`));
  return line?.split("|").at(-2)?.trim() ?? "";
}

describe("runtime report verdicts", () => {
  const options = { serverUrl: "", frameworks: ["switchyard" as const], repeats: 2, n1: 10, n32: 10, latencyN: 10, delayMs: 500, settleMs: 0 };

  it("meets a target only when every run meets it", () => {
    const result: SuiteResult = { options, runs: [run(false), run(true)] };
    const section = renderRuntimeSection(result, env);
    expect(verdictOf(section, "1. step overhead mean, c=1")).toBe("**does not meet** (met in one run)");
    expect(verdictOf(section, "1. step overhead p99, c=1")).toBe("**meets**");
    expect(verdictOf(section, "2. WAL per step vs event payload")).toBe("**meets**");
    expect(verdictOf(section, "3. steps/s at c=32 vs inserts/s at c=32")).toBe("**meets**");
    expect(verdictOf(section, "4. wall time, 1,000 × 4 steps × 500 ms")).toBe("**meets**");
  });

  it("expresses step time in the D measured beside the framework", () => {
    const result: SuiteResult = { options: { ...options, repeats: 1 }, runs: [run(true)] };
    const section = renderRuntimeSection(result, env);
    expect(section).toMatch(/\| switchyard \| 1 \| 1\.000 \| 2\.00 \(2\.0 D\) \|/);
    expect(verdictOf(section, "1. step overhead mean, c=1")).toBe("**does not meet**");
  });
});
