import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Server actions invoked over HTTP the way a browser (or an attacker) does: POST to a page that
 * uses the action, the action's id in the `Next-Action` header, the arguments encoded by React's
 * own `encodeReply`. Ids come from the build's server-reference manifest, so every action the
 * build ships is found, keyed `app/…/file.ts#exportName` like tests/helpers/policy-table.ts.
 */
const root = path.resolve(import.meta.dirname, "../..");
const require = createRequire(path.join(root, "package.json"));
const { encodeReply } = require("next/dist/compiled/react-server-dom-turbopack/client.node.js") as {
  encodeReply: (value: unknown) => Promise<string | FormData>;
};

export interface BuiltAction {
  id: string;
  key: string;
  /** A page path that loads the action (route groups dropped, dynamic segments filled). */
  pagePath: string;
}

interface ManifestEntry {
  workers: Record<string, unknown>;
  exportedName?: string;
  filename?: string;
}

/** Every server action in the build, keyed like the policy table. */
export function builtActions(): Map<string, BuiltAction> {
  const manifest = JSON.parse(readFileSync(path.join(root, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, ManifestEntry>;
  };
  const out = new Map<string, BuiltAction>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (!entry.filename || !entry.exportedName) continue;
    const key = `${entry.filename.replace(/^\.\//, "")}#${entry.exportedName}`;
    const pages = Object.keys(entry.workers).filter((w) => w.endsWith("/page"));
    // Prefer a page without dynamic segments; fill any that remain with a harmless id.
    const page = pages.find((p) => !p.includes("[")) ?? pages[0];
    if (!page) continue;
    const pagePath =
      "/" +
      page
        .replace(/^app\//, "")
        .replace(/\/?page$/, "")
        .split("/")
        .filter((s) => s && !/^\(.*\)$/.test(s))
        .map((s) => (s.startsWith("[") ? "drill_placeholder" : s))
        .join("/");
    out.set(key, { id, key, pagePath: pagePath === "/" ? "/" : pagePath.replace(/\/$/, "") });
  }
  return out;
}

export interface ActionAnswer {
  status: number;
  /** The action's return value when the response carried one (`{ ok, … }`). */
  result?: { ok: boolean; code?: string; data?: unknown; message?: string };
  body: string;
}

/** Calls a `(prev, form)` action with the given form fields, as `useActionState` does. */
export async function callAction(
  baseUrl: string,
  action: BuiltAction,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ActionAnswer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const encoded = await encodeReply([null, form]);
  const res = await fetch(`${baseUrl}${action.pagePath}`, {
    method: "POST",
    redirect: "manual",
    headers: { Accept: "text/x-component", "Next-Action": action.id, Origin: baseUrl, ...headers },
    body: encoded,
  });
  const body = await res.text();
  return { status: res.status, result: actionResultOf(body), body };
}

/** The `{ ok, … }` object in a React Flight response, if there is one. */
export function actionResultOf(flight: string): ActionAnswer["result"] {
  for (const line of flight.split("\n")) {
    const match = /^[0-9a-f]+:(\{.*\})$/.exec(line);
    if (!match) continue;
    try {
      const value = JSON.parse(match[1]!) as Record<string, unknown>;
      if (typeof value.ok === "boolean") return value as ActionAnswer["result"];
    } catch {
      // Not a JSON row (a module reference or text chunk).
    }
  }
  return undefined;
}
