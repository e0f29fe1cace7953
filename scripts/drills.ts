import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

/**
 * `npm run drills [-- name …] [--scale ci|full]`: the reliability and security drills of issue 10.
 * A drill is a file, found by convention so drills can be added without touching this script:
 *
 *   tests/drills/<name>.drill.ts        Vitest (vitest.drills.config.ts); most need DATABASE_URL
 *   tests/e2e/drills/<name>.spec.ts     Playwright in Chromium (they also run in `npm run test:e2e`)
 *
 * Full scale writes docs/reliability.md; `--scale ci` (what .ci/run uses) is the shorter form.
 */
const root = path.resolve(import.meta.dirname, "..");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scale: { type: "string", default: process.env.DRILL_SCALE ?? "full" },
    list: { type: "boolean", default: false },
    // CI runs the browser drills inside its Playwright step, so its drills step takes `--kind vitest`.
    kind: { type: "string" },
  },
});
if (values.scale !== "ci" && values.scale !== "full") {
  console.error(`--scale must be ci or full, not ${values.scale}`);
  process.exit(2);
}

const drillsIn = (dir: string, suffix: string) =>
  (existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir)) : [])
    .filter((f) => f.endsWith(suffix))
    .map((f) => ({ name: f.slice(0, -suffix.length), file: path.join(dir, f) }));
const vitestDrills = drillsIn("tests/drills", ".drill.ts").map((d) => ({ ...d, kind: "vitest" as const }));
const browserDrills = drillsIn("tests/e2e/drills", ".spec.ts").map((d) => ({ ...d, kind: "playwright" as const }));
const all = [...vitestDrills, ...browserDrills];

if (values.list) {
  for (const d of all) console.log(`${d.name.padEnd(28)} ${d.kind.padEnd(10)} ${d.file}`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !all.some((d) => d.name === p));
if (unknown.length) {
  console.error(`No such drill: ${unknown.join(", ")}. Known: ${all.map((d) => d.name).join(", ")}`);
  process.exit(2);
}
const chosen = all.filter((d) => (!positionals.length || positionals.includes(d.name)) && (!values.kind || d.kind === values.kind));
const env = { ...process.env, DRILL_SCALE: values.scale };

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" }).status ?? 1;
let failed = 0;
const vitestFiles = chosen.filter((d) => d.kind === "vitest").map((d) => d.file);
if (vitestFiles.length) failed += run("npx", ["vitest", "run", "--config", "vitest.drills.config.ts", ...vitestFiles]) === 0 ? 0 : 1;
const browserFiles = chosen.filter((d) => d.kind === "playwright").map((d) => d.file);
if (browserFiles.length) failed += run("npx", ["playwright", "test", ...browserFiles]) === 0 ? 0 : 1;
process.exit(failed ? 1 : 0);
