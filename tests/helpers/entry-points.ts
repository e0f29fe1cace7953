import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : walk(full);
    return /\.(ts|tsx)$/.test(e.name) ? [full] : [];
  });
}

const rel = (file: string) => path.relative(root, file).split(path.sep).join("/");

/** Every module under app/ and lib/ that starts with the "use server" directive. */
export function serverActionModules(): string[] {
  return [...walk(path.join(root, "app")), ...walk(path.join(root, "lib"))]
    .filter((f) => /^\s*["']use server["']/.test(readFileSync(f, "utf8")))
    .map(rel)
    .sort();
}

/** Every route handler file, with the URL pattern it serves. */
export function routeModules(): { file: string; pattern: string }[] {
  return walk(path.join(root, "app"))
    .filter((f) => /\/route\.tsx?$/.test(f))
    .map((f) => {
      const file = rel(f);
      const pattern =
        "/" +
        file
          .replace(/^app\//, "")
          .replace(/\/route\.tsx?$/, "")
          .split("/")
          .filter((seg) => !/^\(.*\)$/.test(seg))
          .join("/");
      return { file, pattern };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export function importProjectModule(file: string): Promise<Record<string, unknown>> {
  return import(path.join(root, file)) as Promise<Record<string, unknown>>;
}
