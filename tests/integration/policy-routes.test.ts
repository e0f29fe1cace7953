import { describe, expect, it, vi } from "vitest";
import { can, roles } from "@/lib/auth/permissions";
import { resetEnvForTests } from "@/lib/env";
import { createOneUserPerRole, setupTestDatabase } from "../helpers/db";
import { HTTP_METHODS, importProjectModule, routeModules } from "../helpers/entry-points";
import { routePolicy } from "../helpers/policy-table";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

async function discoverRoutes() {
  const found = new Map<string, { handler: Handler }>();
  for (const { file, pattern } of routeModules()) {
    const mod = await importProjectModule(file);
    for (const method of HTTP_METHODS) {
      const h = mod[method];
      if (typeof h === "function") found.set(`${method} ${pattern}`, { handler: h as Handler });
    }
  }
  return found;
}

function paramsFor(pattern: string, path: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const pSegs = pattern.split("/");
  const uSegs = path.split("/");
  pSegs.forEach((seg, i) => {
    const catchAll = /^\[\.\.\.(\w+)\]$/.exec(seg);
    const single = /^\[(\w+)\]$/.exec(seg);
    if (catchAll) out[catchAll[1]!] = uSegs.slice(i);
    else if (single) out[single[1]!] = uSegs[i] ?? "";
  });
  return out;
}

/**
 * A `bearer_token` route: open to every caller while its variable is unset; once it is set, a
 * console session is not a credential (401) and only the configured token gets in.
 */
async function checkBearerToken(
  key: string,
  caller: string,
  variable: string,
  call: (headers?: Record<string, string>) => Promise<Response>,
): Promise<string[]> {
  const problems: string[] = [];
  const saved = process.env[variable];
  const token = "policy-probe-token-0123456789";
  try {
    delete process.env[variable];
    resetEnvForTests();
    const open = await call();
    if (open.status === 401 || open.status === 403 || open.status >= 500) {
      problems.push(`${key} as ${caller} with ${variable} unset: expected open, got ${open.status}`);
    }
    process.env[variable] = token;
    resetEnvForTests();
    const refused = await call();
    if (refused.status !== 401) problems.push(`${key} as ${caller} with ${variable} set, no token: expected 401, got ${refused.status}`);
    const allowed = await call({ Authorization: `Bearer ${token}` });
    if (allowed.status === 401 || allowed.status === 403 || allowed.status >= 500) {
      problems.push(`${key} as ${caller} with the token: expected access, got ${allowed.status}`);
    }
  } finally {
    if (saved === undefined) delete process.env[variable];
    else process.env[variable] = saved;
    resetEnvForTests();
  }
  return problems;
}

describe("every route handler against the policy table", () => {
  it("has exactly one policy row per route handler", async () => {
    const found = [...(await discoverRoutes()).keys()].sort();
    expect(found).toEqual(Object.keys(routePolicy).sort());
  });

  it("answers each caller as the policy says", async () => {
    const users = await createOneUserPerRole();
    const problems: string[] = [];
    for (const [key, { handler }] of await discoverRoutes()) {
      const policy = routePolicy[key]!;
      const [method, pattern] = key.split(" ") as [string, string];
      for (const caller of ["anonymous", ...roles] as const) {
        signInAs(caller === "anonymous" ? null : users[caller].id);
        const req = new Request(`http://localhost:3000${policy.samplePath}`, { method });
        const res = await handler(req, { params: Promise.resolve(paramsFor(pattern, policy.samplePath)) });
        const access = policy.access;
        if (res.status >= 500) problems.push(`${key} as ${caller}: ${res.status}`);
        if (access.kind === "permission") {
          const expected =
            caller === "anonymous" ? 401 : can(caller, access.permission) ? null : 403;
          if (expected !== null && res.status !== expected) {
            problems.push(`${key} as ${caller}: expected ${expected}, got ${res.status}`);
          }
          if (expected === null && (res.status === 401 || res.status === 403)) {
            problems.push(`${key} as ${caller}: refused an allowed caller (${res.status})`);
          }
        } else if (access.kind === "api_key") {
          // A console session is not a credential for the public API: no Bearer key, no access.
          const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
          if (res.status !== 401 || body?.error?.code !== "unauthorized") {
            problems.push(`${key} as ${caller}: expected 401 unauthorized without an API key, got ${res.status}`);
          }
        } else if (access.kind === "bearer_token") {
          const call = (headers?: Record<string, string>) =>
            handler(new Request(req.url, { method, headers }), { params: Promise.resolve(paramsFor(pattern, policy.samplePath)) });
          problems.push(...(await checkBearerToken(key, caller, access.env, call)));
        } else if (access.kind === "public" && (res.status === 401 || res.status === 403)) {
          problems.push(`${key} as ${caller}: public route refused (${res.status})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
