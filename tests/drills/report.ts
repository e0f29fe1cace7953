import path from "node:path";
import { type ReportFile, writeSection } from "@/scripts/report/sections";

/**
 * Shared by every reliability drill (issue 10). A drill runs at one of two scales: `full`, the
 * figures the issue asks for, written to docs/reliability.md; and `ci`, a shorter form that CI runs
 * on every change and that still fails on a single loss or breach. CI-scale figures go to
 * .data/drills/ so a quick local run never overwrites the committed full-scale ones.
 */
export type DrillScale = "ci" | "full";

export function drillScale(): DrillScale {
  return process.env.DRILL_SCALE === "ci" ? "ci" : "full";
}

/** The size of something for the current scale. */
export function sized<T>(sizes: Record<DrillScale, T>): T {
  return sizes[drillScale()];
}

const root = path.resolve(import.meta.dirname, "../..");
const header = `# Reliability and security drills

Produced by \`npm run drills\` (issue 10). Each section below is written by one drill at full scale;
CI runs every drill at a shorter scale that still fails on a single loss or breach. A drill whose
figure misses its bound fails: it is never skipped.
`;

function reportFile(): ReportFile {
  const file = drillScale() === "full" ? "docs/reliability.md" : ".data/drills/reliability.md";
  return { path: path.join(root, file), marker: "drill", header };
}

/**
 * Writes a drill's figures as its own section: a title, when and at what scale it ran, and the
 * markdown body (a table of figure, bound, measured, verdict is the expected shape).
 */
export function recordDrill(id: string, title: string, body: string): void {
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const section = `## ${title}\n\n_\`npm run drills -- ${id}\`, ${drillScale()} scale, ${when} UTC._\n\n${body.trim()}\n`;
  writeSection(reportFile(), id, section);
  console.log(`\n${section}`);
}

/** One row of the usual figures table. */
export interface Figure {
  figure: string;
  bound: string;
  measured: string | number;
  ok: boolean;
}

export function figuresTable(figures: Figure[]): string {
  const rows = figures.map((f) => `| ${f.figure} | ${f.bound} | ${f.measured} | ${f.ok ? "meets" : "**does not meet**"} |`);
  return ["| figure | bound | measured | verdict |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
