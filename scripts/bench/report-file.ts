import { existsSync, readFileSync, writeFileSync } from "node:fs";

const header = `# Benchmarks

Produced by \`npm run bench\` (with \`DATABASE_URL\` pointing at a PostgreSQL server where it may
create and drop scratch databases). Ratios from one run are the result; absolute times depend on
the machine and what else it is doing.
`;

/**
 * Replaces one generated section of the report (between `<!-- bench:id -->` markers) and leaves
 * the rest alone: the parts of \`npm run bench\` can run separately, and the hand-written analysis
 * between sections survives a new run.
 */
export function writeSection(file: string, id: string, body: string): void {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const doc = existsSync(file) ? readFileSync(file, "utf8") : header;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  const next = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
