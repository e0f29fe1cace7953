import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { DEMO_API_KEY, DEMO_PASSWORD, seedDemo } from "@/db/seed";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { can, roles, type Role } from "@/lib/auth/permissions";
import { newId } from "@/lib/ids";
import { createTestUser, setupTestDatabase, TEST_PASSWORD, testDb } from "../helpers/db";
import { actionPolicy, routePolicy, type PolicyContext } from "../helpers/policy-table";
import { signInOverHttp, startAppServer, type AppServer } from "./app-server";
import { fingerprintDatabase, fingerprintDiff, settledFingerprint } from "./db-fingerprint";
import { figuresTable, recordDrill, type Figure } from "./report";
import { builtActions, callAction, type BuiltAction } from "./server-actions";

/**
 * Drill 5 (issue 10): the permission matrix over HTTP against the built server, bypassing the UI.
 * Every server action in the build's manifest and every route handler, as an anonymous visitor and
 * as each role, compared with tests/helpers/policy-table.ts; other users' resources (IDOR); actions
 * with a null or foreign Origin; the session cookie's attributes; and the middleware-bypass headers.
 * The database is fingerprinted around everything a refused caller sends: nothing may change.
 */
const PORT = 3112;
type Caller = Role | "anonymous";
const callers: Caller[] = ["anonymous", ...roles];
const demoEmail: Record<Role, string> = { admin: "admin@example.com", engineer: "engineer@example.com", support_lead: "lead@example.com" };

setupTestDatabase();

let server: AppServer;
let databaseUrl: string;
const cookies = {} as Record<Role, string>;

beforeAll(async () => {
  databaseUrl = process.env.DATABASE_URL ?? "";
  if (!databaseUrl) throw new Error("The permissions drill runs the built server on PostgreSQL: set DATABASE_URL.");
  await seedDemo(testDb());
  server = await startAppServer({ port: PORT, databaseUrl });
  for (const role of roles) cookies[role] = (await signInOverHttp(server.url, demoEmail[role], DEMO_PASSWORD)).cookie;
});

afterAll(async () => {
  await server?.stop();
});

const headersFor = (caller: Caller, extra: Record<string, string> = {}) =>
  caller === "anonymous" ? extra : { Cookie: cookies[caller], ...extra };

async function publicApi(method: string, path: string, key: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function settle(id: string, key = DEMO_API_KEY): Promise<string> {
  for (let i = 0; i < 240; i++) {
    const { status } = (await (await publicApi("GET", `/api/v1/conversations/${id}`, key)).json()) as { status: string };
    if (status !== "running") return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`conversation ${id} never settled`);
}

/** Victims: a user, an API key, a waiting conversation and an escalation claimed by the demo lead. */
async function createVictims() {
  const victim = await createTestUser("support_lead");
  const [victimKey] = await testDb()
    .insert(schema.apiKeys)
    .values({ id: newId("key"), name: "victim", prefix: "sy_live_vict", keyHash: hashApiKey(generateApiKey()) })
    .returning();
  const started = await publicApi("POST", "/api/v1/conversations", DEMO_API_KEY, { message: "How do I reset my password?" });
  const { id: conversationId } = (await started.json()) as { id: string };
  await settle(conversationId);
  const asked = await publicApi("POST", "/api/v1/conversations", DEMO_API_KEY, {
    message: "This is the third time I'm writing about this. I want to talk to a human, please.",
  });
  const { id: escalatedConversation } = (await asked.json()) as { id: string };
  expect(await settle(escalatedConversation)).toBe("escalated");
  let escalation: { id: string } | undefined;
  for (let i = 0; i < 40 && !escalation; i++) {
    [escalation] = await testDb()
      .select({ id: schema.escalations.id })
      .from(schema.escalations)
      .where(eq(schema.escalations.conversationId, escalatedConversation));
    if (!escalation) await new Promise((r) => setTimeout(r, 250));
  }
  if (!escalation) throw new Error(`the escalated conversation ${escalatedConversation} has no escalation`);
  const claim = builtActions().get("app/(console)/inbox/actions.ts#claimEscalationAction")!;
  const claimed = await callAction(server.url, claim, { id: escalation.id }, { Cookie: cookies.support_lead });
  expect(claimed.result).toMatchObject({ ok: true });
  // A second key of another tenant, for the public API's IDOR.
  const otherKey = generateApiKey();
  await testDb().insert(schema.apiKeys).values({ id: newId("key"), name: "other tenant", prefix: otherKey.slice(0, 12), keyHash: hashApiKey(otherKey) });
  const otherLead = await createTestUser("support_lead");
  const otherLeadCookie = (await signInOverHttp(server.url, otherLead.email, TEST_PASSWORD)).cookie;
  return { victim, victimKey: victimKey!, conversationId, escalationId: escalation.id, otherKey, otherLeadCookie };
}

function expectedActionOutcome(key: string, caller: Caller): "allowed" | "unauthorized" | "forbidden" {
  const access = actionPolicy[key]!.access;
  if (access.kind === "public") return "allowed";
  if (caller === "anonymous") return "unauthorized";
  return can(caller, access.permission) ? "allowed" : "forbidden";
}

/**
 * One pass of the action matrix: the refused callers (with a form that would otherwise succeed) or
 * the allowed ones (with an empty form, which must fail validation rather than authorization).
 */
async function actionMatrix(
  actions: Map<string, BuiltAction>,
  ctx: PolicyContext,
  pass: "refused" | "allowed",
): Promise<{ calls: number; problems: string[] }> {
  const problems: string[] = [];
  let calls = 0;
  for (const [key, action] of [...actions].sort(([a], [b]) => a.localeCompare(b))) {
    const policy = actionPolicy[key];
    if (!policy) continue;
    for (const caller of callers) {
      const expected = expectedActionOutcome(key, caller);
      if ((expected === "allowed") !== (pass === "allowed")) continue;
      // signOutAction only clears the caller's own cookie; the JWT the drill holds stays valid.
      const input = expected === "allowed" ? {} : (policy.validInput?.(ctx) ?? {});
      const answer = await callAction(server.url, action, input, headersFor(caller));
      calls++;
      const code = answer.result?.ok === false ? answer.result.code : undefined;
      if (answer.status >= 500) problems.push(`${key} as ${caller}: HTTP ${answer.status}`);
      if (expected === "allowed") {
        if (code === "unauthorized" || code === "forbidden") problems.push(`${key} as ${caller}: refused an allowed caller (${code})`);
      } else if (code !== expected) {
        problems.push(`${key} as ${caller}: expected ${expected}, got ${code ?? `HTTP ${answer.status} without a result`}`);
      }
    }
  }
  return { calls, problems };
}

const routeMethod = (key: string) => key.split(" ")[0]!;

function routeRefuses(key: string, caller: Caller): boolean {
  const access = routePolicy[key]!.access;
  if (access.kind === "api_key") return true;
  if (access.kind !== "permission") return false;
  return caller === "anonymous" || !can(caller, access.permission);
}

/** Like the action matrix, in two passes: refused callers, then allowed ones (/api/metrics writes its rollup). */
async function routeMatrix(pass: "refused" | "allowed"): Promise<{ calls: number; problems: string[] }> {
  const problems: string[] = [];
  let calls = 0;
  for (const [key, policy] of Object.entries(routePolicy)) {
    for (const caller of callers) {
      if (routeRefuses(key, caller) !== (pass === "refused")) continue;
      const res = await fetch(`${server.url}${policy.samplePath}`, {
        method: routeMethod(key),
        headers: headersFor(caller, { "Content-Type": "application/json" }),
        body: routeMethod(key) === "POST" ? "{}" : undefined,
        redirect: "manual",
      });
      await res.arrayBuffer();
      calls++;
      const access = policy.access;
      if (res.status >= 500) problems.push(`${key} as ${caller}: ${res.status}`);
      if (access.kind === "permission") {
        const expected = caller === "anonymous" ? 401 : can(caller, access.permission) ? null : 403;
        if (expected !== null && res.status !== expected) problems.push(`${key} as ${caller}: expected ${expected}, got ${res.status}`);
        if (expected === null && (res.status === 401 || res.status === 403)) problems.push(`${key} as ${caller}: refused an allowed caller (${res.status})`);
      } else if (access.kind === "api_key" && res.status !== 401) {
        problems.push(`${key} as ${caller}: a console session is not an API key, expected 401, got ${res.status}`);
      } else if ((access.kind === "public" || access.kind === "bearer_token") && (res.status === 401 || res.status === 403)) {
        // bearer_token: the drill server has no SWITCHYARD_METRICS_TOKEN, so the route is open.
        problems.push(`${key} as ${caller}: open route refused (${res.status})`);
      }
    }
  }
  return { calls, problems };
}

/** Other users' and tenants' resources, by callers allowed to use the action but not that resource. */
async function idorProbes(actions: Map<string, BuiltAction>, v: Awaited<ReturnType<typeof createVictims>>) {
  const problems: string[] = [];
  let calls = 0;
  const inbox = (name: string) => actions.get(`app/(console)/inbox/actions.ts#${name}`)!;
  const probes: [BuiltAction, Record<string, string>][] = [
    [inbox("replyToCustomerAction"), { id: v.escalationId, message: "idor probe: not my claim" }],
    [inbox("resolveEscalationAction"), { id: v.escalationId }],
    [inbox("handBackEscalationAction"), { id: v.escalationId, note: "idor probe" }],
    [inbox("releaseEscalationAction"), { id: v.escalationId }],
    [inbox("claimEscalationAction"), { id: v.escalationId }],
  ];
  for (const [action, input] of probes) {
    const answer = await callAction(server.url, action, input, { Cookie: v.otherLeadCookie });
    calls++;
    if (answer.result?.ok !== false) problems.push(`${action.key} by another lead on a claimed escalation: ${answer.result ? "succeeded" : `HTTP ${answer.status}`}`);
  }
  // The public API: another tenant's key reads and writes nothing of this tenant's.
  const read = await publicApi("GET", `/api/v1/conversations/${v.conversationId}`, v.otherKey);
  const write = await publicApi("POST", `/api/v1/conversations/${v.conversationId}/messages`, v.otherKey, { message: "idor probe" });
  calls += 2;
  if (read.status !== 404) problems.push(`another tenant's key read the conversation: ${read.status}`);
  if (write.status !== 404) problems.push(`another tenant's key wrote to the conversation: ${write.status}`);
  return { calls, problems };
}

/** Actions sent by a signed-in admin with a valid form but a null or foreign Origin. */
async function originProbes(actions: Map<string, BuiltAction>, unique: string) {
  const problems: string[] = [];
  const invite = actions.get("app/(console)/settings/actions.ts#inviteUserAction")!;
  const createKey = actions.get("app/(console)/settings/actions.ts#createApiKeyAction")!;
  const origins = ["null", "https://attacker.example", "http://127.0.0.1:1", `http://localhost.attacker.example:${PORT}`];
  let calls = 0;
  for (const origin of origins) {
    for (const [action, input] of [
      [invite, { email: `origin-${unique}-${calls}@test.switchyard.dev`, name: "Origin probe", role: "admin" }],
      [createKey, { name: `origin-probe-${unique}-${calls}` }],
    ] as const) {
      const answer = await callAction(server.url, action, input, { Cookie: cookies.admin, Origin: origin });
      calls++;
      if (answer.result?.ok === true) problems.push(`${action.key} ran with Origin: ${origin}`);
    }
  }
  return { calls, problems, control: { invite, createKey } };
}

const bypassHeaders: Record<string, string>[] = [
  { "x-middleware-subrequest": "middleware" },
  { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
  { "x-middleware-subrequest": "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware" },
  { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
  { "x-nextjs-data": "1" },
  { "x-invoke-path": "/settings", "x-invoke-query": "{}" },
  { "x-matched-path": "/api/health" },
  { "x-original-url": "/api/health", "x-rewrite-url": "/api/health" },
  { "x-forwarded-host": "localhost", "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" },
  { "x-middleware-prefetch": "1", "next-router-prefetch": "1", rsc: "1" },
  { "x-now-route-matches": "1", "x-vercel-id": "bypass" },
  { authorization: "Bearer admin", "x-user-id": "admin", "x-role": "admin" },
];

const protectedPaths = ["/", "/settings", "/audit", "/conversations", "/traces", "/inbox", "/budgets", "/api/console/inbox", "/api/console/inbox/count", "/api/console/breakers"];

/**
 * Anonymous requests with bypass headers: refused (401/403), sent to sign in (a redirect, or for an
 * RSC request a Flight payload whose only instruction is that redirect) or an empty answer, and
 * none of the markers.
 * Next's own cache-busting redirect of RSC requests (to `?_rsc=…`) is followed first.
 */
async function bypassProbes(markers: string[]) {
  const problems: string[] = [];
  let calls = 0;
  for (const headers of bypassHeaders) {
    for (const path of protectedPaths) {
      let url = `${server.url}${path}`;
      let res = await fetch(url, { headers, redirect: "manual" });
      for (let hop = 0; hop < 2 && res.status === 307 && /[?&]_rsc/.test(res.headers.get("location") ?? ""); hop++) {
        await res.arrayBuffer();
        url = new URL(res.headers.get("location")!, url).toString();
        res = await fetch(url, { headers, redirect: "manual" });
      }
      const body = await res.text();
      calls++;
      const toLogin = /^\/login/.test(res.headers.get("location") ?? "");
      const flightToLogin = res.status === 200 && (res.headers.get("content-type") ?? "").includes("text/x-component") && /NEXT_REDIRECT;(replace|push);\/login/.test(body);
      // Next answers a middleware prefetch with an empty `{}` (x-middleware-skip): nothing served.
      const empty = body.trim() === "" || body.trim() === "{}";
      const refused = res.status === 401 || res.status === 403 || ([302, 303, 307].includes(res.status) && toLogin) || flightToLogin || empty;
      const leaked = markers.filter((m) => body.includes(m));
      if (!refused || leaked.length) problems.push(`${path} with ${JSON.stringify(headers)}: ${res.status}${leaked.length ? `, served ${leaked.join(", ")}` : ""}`);
    }
  }
  return { calls, problems };
}

function cookieAttributes(setCookie: string[]) {
  const session = setCookie.find((c) => /session-token=/.test(c)) ?? "";
  const attrs = session.split(";").map((a) => a.trim().toLowerCase());
  return {
    name: session.split("=")[0] ?? "",
    httpOnly: attrs.includes("httponly"),
    sameSite: attrs.find((a) => a.startsWith("samesite="))?.split("=")[1] ?? "none set",
    secure: attrs.includes("secure"),
  };
}

describe("drill 5: permissions over HTTP", () => {
  it("matches the policy table for every action and route, refuses IDOR, foreign origins and bypass headers, and changes nothing", async () => {
    const actions = builtActions();
    const coverageMissing = Object.keys(actionPolicy).filter((k) => !actions.has(k));
    const coverageExtra = [...actions.keys()].filter((k) => !actionPolicy[k]);
    const v = await createVictims();
    const unique = v.victim.id.slice(-12).toLowerCase();
    const ctx: PolicyContext = { victimUserId: v.victim.id, unique, victimApiKeyId: v.victimKey.id, victimConversationId: v.conversationId };
    // Protected data an anonymous response must never contain (the users list, the audit log, a conversation).
    const markers = [v.victim.email, "demo.seed", v.conversationId];

    const before = await settledFingerprint(databaseUrl);
    const refused = await actionMatrix(actions, ctx, "refused");
    const refusedRoutes = await routeMatrix("refused");
    const idor = await idorProbes(actions, v);
    const origin = await originProbes(actions, unique);
    const bypass = await bypassProbes(markers);
    const after = await fingerprintDatabase(databaseUrl);
    const changed = fingerprintDiff(before, after);
    // Allowed callers after the window: an empty form may legitimately save a default (a checkbox).
    const allowed = await actionMatrix(actions, ctx, "allowed");
    const matrix = { calls: refused.calls + allowed.calls, problems: [...refused.problems, ...allowed.problems] };
    const allowedRoutes = await routeMatrix("allowed");
    const routes = { calls: refusedRoutes.calls + allowedRoutes.calls, problems: [...refusedRoutes.problems, ...allowedRoutes.problems] };

    // Controls: the same forms with the right Origin do work, so the refusals above were the checks.
    const control = await callAction(server.url, origin.control.createKey, { name: `origin-control-${unique}` }, { Cookie: cookies.admin });
    const controlOk = control.result?.ok === true;
    // And the markers are real: an admin does see them where the probes looked.
    const adminView = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { Cookie: cookies.admin } })).text();
    const markersReal = (await adminView("/settings")).includes(v.victim.email) && (await adminView("/audit")).includes("demo.seed");

    const plain = await signInOverHttp(server.url, demoEmail.engineer, DEMO_PASSWORD);
    const https = await signInOverHttp(server.url, demoEmail.engineer, DEMO_PASSWORD, { "X-Forwarded-Proto": "https" });
    const plainCookie = cookieAttributes(plain.setCookie);
    const httpsCookie = cookieAttributes(https.setCookie);
    const cookieOk = plainCookie.httpOnly && plainCookie.sameSite === "lax" && httpsCookie.httpOnly && httpsCookie.sameSite === "lax" && httpsCookie.secure && httpsCookie.name.startsWith("__Secure-");

    const figures: Figure[] = [
      {
        figure: "server actions in the build with a policy row",
        bound: "100%",
        measured: `${actions.size - coverageExtra.length} of ${actions.size}${coverageMissing.length ? ` (policy rows no page uses, so not reachable over HTTP: ${coverageMissing.map((k) => k.split("#")[1]).join(", ")})` : ""}`,
        ok: coverageExtra.length === 0,
      },
      { figure: "action × caller outcomes matching the policy table", bound: "100%", measured: `${matrix.calls - matrix.problems.length} of ${matrix.calls}`, ok: matrix.problems.length === 0 },
      { figure: "route × caller outcomes matching the policy table", bound: "100%", measured: `${routes.calls - routes.problems.length} of ${routes.calls}`, ok: routes.problems.length === 0 },
      { figure: "IDOR probes refused (another lead's claim, another tenant's conversation)", bound: "100%", measured: `${idor.calls - idor.problems.length} of ${idor.calls}`, ok: idor.problems.length === 0 },
      { figure: "admin actions with Origin null or foreign that ran", bound: "0", measured: `${origin.problems.length} of ${origin.calls}`, ok: origin.problems.length === 0 },
      { figure: "bypass-header requests that served a protected byte", bound: "0", measured: `${bypass.problems.length} of ${bypass.calls}`, ok: bypass.problems.length === 0 },
      { figure: "tables changed by every refused call above", bound: "0", measured: changed.length, ok: changed.length === 0 },
      { figure: "control: the same admin action with the server's Origin", bound: "runs", measured: controlOk ? "runs" : "refused", ok: controlOk },
      { figure: "control: the admin sees the markers the bypass probes look for", bound: "yes", measured: markersReal ? "yes" : "no", ok: markersReal },
      {
        figure: "session cookie: HttpOnly, SameSite; behind HTTPS also Secure",
        bound: "HttpOnly, Lax; + Secure, __Secure- name",
        measured: `http: ${plainCookie.httpOnly ? "HttpOnly" : "no HttpOnly"}, ${plainCookie.sameSite}; https: ${httpsCookie.httpOnly ? "HttpOnly" : "no HttpOnly"}, ${httpsCookie.sameSite}, ${httpsCookie.secure ? "Secure" : "not Secure"}, ${httpsCookie.name}`,
        ok: cookieOk,
      },
    ];
    const problems = [...coverageExtra.map((k) => `no policy row: ${k}`), ...matrix.problems, ...routes.problems, ...idor.problems, ...origin.problems, ...bypass.problems, ...changed.map((c) => `changed: ${c}`)];
    recordDrill(
      "permissions",
      "Drill 5: permissions over HTTP",
      `The built server on PostgreSQL, called directly over HTTP with no UI. Server actions are found in
the build's server-reference manifest (${actions.size}) and posted with their \`Next-Action\` id and
React's own argument encoding; route handlers come from tests/helpers/policy-table.ts. Each is called as
an anonymous visitor and as each role (refused callers send a form that would otherwise succeed;
allowed callers an empty form, which must fail validation, not authorization),
plus IDOR probes, admin actions with \`Origin: null\` and foreign origins, and anonymous requests to
${protectedPaths.length} protected paths with ${bypassHeaders.length} sets of bypass headers (\`x-middleware-subrequest\`
as in CVE-2025-29927, \`x-invoke-path\`, \`x-matched-path\`, forwarded hosts, prefetch and RSC headers…).
Every table is fingerprinted around all refused calls, route reads and probes.

${figuresTable(figures)}
${problems.length ? `\nFound:\n\n${problems.slice(0, 30).map((p) => `- ${p.replace(/\|/g, "\\|")}`).join("\n")}\n` : ""}`,
    );
    expect(problems).toEqual([]);
    expect(figures.filter((f) => !f.ok).map((f) => `${f.figure}: ${f.measured}`)).toEqual([]);
  });
});
