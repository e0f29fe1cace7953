import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A generated markdown report made of sections that separate commands fill in. */
export interface ReportFile {
  path: string;
  /** Section markers read `<!-- marker:id -->` … `<!-- /marker:id -->`. */
  marker: string;
  /** The text a new file starts with. */
  header: string;
}

/**
 * Replaces one generated section of the report and leaves the rest alone: the parts of a report
 * run separately, and the hand-written analysis between sections survives a new run.
 */
export function writeSection(report: ReportFile, id: string, body: string): void {
  const start = `<!-- ${report.marker}:${id} -->`;
  const end = `<!-- /${report.marker}:${id} -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const doc = existsSync(report.path) ? readFileSync(report.path, "utf8") : report.header;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  const next = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  mkdirSync(path.dirname(report.path), { recursive: true });
  writeFileSync(report.path, next);
}
