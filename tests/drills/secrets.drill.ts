import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_API_KEY, DEMO_PASSWORD, seedDemo } from "@/db/seed";
import { supportChain } from "@/lib/agents/support-team";
import { agentOf, reply, startFakeProviderServer, type FakeProviderServer, type FakeReply, type RecordedRequest } from "../helpers/fake-openai-server";
import { setupTestDatabase, testDb } from "../helpers/db";
import { DRILL_AUTH_SECRET, signInOverHttp, startAppServer, type AppServer } from "./app-server";
import { figuresTable, recordDrill, sized } from "./report";
import { builtActions, callAction } from "./server-actions";

/**
 * Drill 10 (issue 10): secrets never appear in traces, logs, the audit log or any page. The built
 * server runs on PostgreSQL against a loopback OpenAI-compatible provider with a recognisable key;
 * an admin creates API keys through the console's own action; conversations run with them (some
 * provider calls fail with bodies that echo the key back, as a careless proxy would). Then every
 * table, the server's stdout and stderr, every console page and every API answer is scanned.
 */
const PORT = 3112;
const CONVERSATIONS_PER_KEY = sized({ ci: 4, full: 15 });
const root = path.resolve(import.meta.dirname, "../..");

const mark = randomBytes(8).toString("hex");
const secrets = {
  OPENAI_API_KEY: `sk-drill-openai-${mark}`,
  ANTHROPIC_API_KEY: `sk-ant-drill-${mark}`,
  SWITCHYARD_METRICS_TOKEN: `metrics-drill-${mark}`,
  AUTH_SECRET: DRILL_AUTH_SECRET,
};

setupTestDatabase();

let server: AppServer;
let provider: FakeProviderServer;
let databaseUrl: string;
/** Every body the public API and the console answered during the traffic (scanned at the end). */
const answers: { where: string; body: string }[] = [];
let faultedCalls = 0;

beforeAll(async () => {
  databaseUrl = process.env.DATABASE_URL ?? "";
  if (!databaseUrl) throw new Error("The secrets drill runs the built server on PostgreSQL: set DATABASE_URL.");
  await seedDemo(testDb());
  provider = await startFakeProviderServer();
  provider.respond(supportTeamReplies());
  server = await startAppServer({
    port: PORT,
    databaseUrl,
    env: {
      ...secrets,
      SWITCHYARD_PROVIDER: "openai",
      OPENAI_BASE_URL: provider.url,
      SWITCHYARD_MODEL_TIMEOUT_MS: "5000",
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await provider?.close();
});

/**
 * Answers the support team as a model would (triage → technical → kb_search → answer → review);
 * every fifth call fails instead, with the caller's key quoted in the error body.
 */
function supportTeamReplies(): (r: RecordedRequest) => FakeReply {
  let calls = 0;
  return (request) => {
    calls++;
    const key = String(request.headers.authorization ?? "").replace(/^Bearer /, "");
    if (calls % 5 === 0) faultedCalls++;
    if (calls % 10 === 5) return { kind: "error", status: 401, body: { error: { message: `Incorrect API key provided: ${key}`, code: "invalid_api_key" } } };
    if (calls % 10 === 0) return { kind: "error", status: 500, body: { error: { message: `upstream failed for key ${key}` } } };
    const transcript = JSON.stringify(request.body.messages ?? []);
    switch (agentOf(request, supportChain.agents)) {
      case "triage":
        return reply.toolCall("transfer_to_technical", { context: "sign-in problem" });
      case "technical":
        return transcript.includes("kb-101")
          ? reply.json({ reply: "Use 'Forgot password' on the sign-in page (kb-101).", confidence: 0.9, citations: ["kb-101"] })
          : reply.toolCall("kb_search", { query: "reset password" });
      case "reviewer":
        return reply.json({ approved: true, confidence: 0.95, issues: [] });
      default:
        return reply.json({ reply: "Happy to help with that.", confidence: 0.9, citations: [] });
    }
  };
}

async function publicApi(method: string, pathname: string, key: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${server.url}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  answers.push({ where: `${method} ${pathname}`, body: await res.clone().text() });
  return res;
}

async function waitSettled(key: string, id: string): Promise<string> {
  for (let i = 0; i < 240; i++) {
    const res = await publicApi("GET", `/api/v1/conversations/${id}`, key);
    const { status } = (await res.json()) as { status: string };
    if (status !== "running") return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  return "running";
}

/** One conversation with a follow-up, as an integration would drive it. */
async function converse(key: string, i: number): Promise<string> {
  const res = await publicApi("POST", "/api/v1/conversations", key, { message: `I cannot sign in (${i}), how do I reset my password?`, customerId: `c-${i}` });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  if ((await waitSettled(key, id)) === "waiting_for_customer") {
    await publicApi("POST", `/api/v1/conversations/${id}/messages`, key, { message: "Thanks, and if the email never arrives?" });
    await waitSettled(key, id);
  }
  return id;
}

/** Console pages and console APIs with every dynamic segment filled from the database. */
async function consoleUrls(sql: postgres.Sql, driven: string[]): Promise<string[]> {
  const conversations = await sql<{ id: string; trace_id: string }[]>`select distinct on (conversation_id) conversation_id as id, trace_id from runs where conversation_id = any(${driven}) order by conversation_id, created_at desc`;
  const escalations = await sql<{ id: string }[]>`select id from escalations limit 5`;
  const fill: Record<string, string[]> = {
    "conversations/[id]": conversations.map((c) => c.id),
    "inbox/[id]": escalations.map((e) => e.id),
    "traces/[traceId]": conversations.slice(0, 10).map((c) => c.trace_id),
  };
  const pages = walkPages(path.join(root, "app/(console)")).flatMap((p) => {
    const dynamic = Object.keys(fill).find((d) => p === d);
    return dynamic ? fill[dynamic]!.map((id) => `/${p.replace(/\[\w+\]/, id)}`) : [`/${p}`];
  });
  const apis = [
    "/api/console/inbox",
    "/api/console/inbox/count",
    "/api/console/breakers",
    "/api/health",
    "/api/auth/session",
    ...conversations.slice(0, 10).map((c) => `/api/console/conversations/${c.id}/live`),
  ];
  return [...pages, ...apis, "/login"];
}

function walkPages(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isFile() && e.name === "page.tsx") return [prefix.replace(/\/$/, "")];
    if (!e.isDirectory() || e.name.startsWith("_")) return [];
    const segment = /^\(.*\)$/.test(e.name) ? "" : `${e.name}/`;
    return walkPages(path.join(dir, e.name), prefix + segment);
  });
}

async function tablesContaining(sql: postgres.Sql, needle: string): Promise<string[]> {
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
  const hits: string[] = [];
  for (const { name } of tables) {
    const [row] = await sql.unsafe<{ n: string }[]>(`select count(*) as n from "${name}" t where to_jsonb(t)::text like '%' || $1 || '%'`, [needle]);
    if (Number(row!.n) > 0) hits.push(`${name} (${row!.n} rows)`);
  }
  return hits;
}

describe("drill 10: secrets", () => {
  it("keeps provider keys, API keys and server secrets out of the database, the logs and every page", async () => {
    const admin = await signInOverHttp(server.url, "admin@example.com", DEMO_PASSWORD);
    const createKey = builtActions().get("app/(console)/settings/actions.ts#createApiKeyAction");
    if (!createKey) throw new Error("createApiKeyAction is not in the build's server-reference manifest");
    const apiKeys: string[] = [DEMO_API_KEY];
    for (const name of ["drill-secrets-a", "drill-secrets-b"]) {
      // The one answer meant to show a key: the action that creates it, once, to the admin.
      const created = await callAction(server.url, createKey, { name }, { Cookie: admin.cookie });
      const plaintext = (created.result?.data as { key?: string } | undefined)?.key;
      if (!created.result?.ok || !plaintext) throw new Error(`creating an API key failed: ${created.body.slice(0, 300)}`);
      apiKeys.push(plaintext);
    }

    const ids = await Promise.all(apiKeys.flatMap((key) => Array.from({ length: CONVERSATIONS_PER_KEY }, (_, i) => converse(key, i))));
    // A refused key, too: the 401 must not quote it back.
    await publicApi("GET", `/api/v1/conversations/${ids[0]}`, `${apiKeys[1]}x`);

    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const pages: { where: string; body: string }[] = [];
      for (const url of await consoleUrls(sql, ids)) {
        const res = await fetch(`${server.url}${url}`, { headers: { Cookie: admin.cookie } });
        pages.push({ where: `${url} (${res.status})`, body: await res.text() });
      }
      const metrics = await fetch(`${server.url}/api/metrics`, { headers: { Authorization: `Bearer ${secrets.SWITCHYARD_METRICS_TOKEN}` } });
      pages.push({ where: `/api/metrics (${metrics.status})`, body: await metrics.text() });

      const named = [
        ...Object.entries(secrets).map(([name, value]) => ({ name, value })),
        ...apiKeys.map((value, i) => ({ name: i === 0 ? "demo API key" : `created API key ${i}`, value })),
      ];
      const leaks: string[] = [];
      const counts = { database: 0, logs: 0, pages: 0, answers: 0 };
      for (const { name, value } of named) {
        for (const hit of await tablesContaining(sql, value)) {
          counts.database++;
          leaks.push(`${name} in table ${hit}`);
        }
        const logLines = server.output().split("\n").filter((l) => l.includes(value));
        counts.logs += logLines.length;
        leaks.push(...logLines.slice(0, 3).map((l) => `${name} in the server log: ${l.slice(0, 160)}`));
        for (const p of pages.filter((p) => p.body.includes(value))) {
          counts.pages++;
          leaks.push(`${name} on ${p.where}`);
        }
        for (const a of answers.filter((a) => a.body.includes(value))) {
          counts.answers++;
          leaks.push(`${name} in the answer to ${a.where}`);
        }
      }

      // Controls: the same scans do find a value the app is meant to keep (a customer's words).
      const known = "I cannot sign in (0)";
      const knownFound = {
        database: (await tablesContaining(sql, known)).length,
        pages: pages.filter((p) => p.body.includes(known)).length,
        answers: answers.filter((a) => a.body.includes(known)).length,
        logs: server.output().split("\n").filter((l) => l.trim()).length,
      };
      const scansWork = knownFound.database > 0 && knownFound.pages > 0 && knownFound.answers > 0 && knownFound.logs > 0;
      const faulted = faultedCalls;
      const keyedProviderCalls = provider.requests.filter((r) => r.headers.authorization === `Bearer ${secrets.OPENAI_API_KEY}`).length;
      const [{ n: spanCount } = { n: "0" }] = await sql<{ n: string }[]>`select count(*) as n from spans`;
      const [{ n: auditCount } = { n: "0" }] = await sql<{ n: string }[]>`select count(*) as n from audit_log where action = 'api_key.create'`;
      const pagesOk = pages.filter((p) => /\(200\)$/.test(p.where)).length;
      const figures = [
        { figure: "secret values found in database rows (every table)", bound: "0", measured: counts.database, ok: counts.database === 0 },
        { figure: "server log lines (stdout, stderr) with a secret", bound: "0", measured: counts.logs, ok: counts.logs === 0 },
        { figure: "console pages and console/API reads with a secret", bound: "0", measured: counts.pages, ok: counts.pages === 0 },
        { figure: "public API answers with a secret", bound: "0", measured: counts.answers, ok: counts.answers === 0 },
        { figure: "provider calls made with the provider key (traffic used it)", bound: "> 0", measured: keyedProviderCalls, ok: keyedProviderCalls > 0 },
        { figure: "conversations driven with the API keys", bound: `${ids.length}`, measured: ids.length, ok: ids.length === apiKeys.length * CONVERSATIONS_PER_KEY },
        { figure: "spans recorded / API keys created (audited)", bound: "> 0 / 2", measured: `${spanCount} / ${auditCount}`, ok: Number(spanCount) > 0 && Number(auditCount) === 2 },
        {
          figure: "control: the scans find a customer's words (tables / pages / answers), the log has lines",
          bound: "all > 0",
          measured: `${knownFound.database} / ${knownFound.pages} / ${knownFound.answers}, ${knownFound.logs} lines`,
          ok: scansWork,
        },
        { figure: "provider calls that failed with the key quoted back", bound: "> 0", measured: faulted, ok: faulted > 0 },
        { figure: "pages and reads scanned (200s of them)", bound: "every console page answers 200", measured: `${pages.length} (${pagesOk})`, ok: pagesOk === pages.length },
      ];
      recordDrill(
        "secrets",
        "Drill 10: secrets",
        `The built server on PostgreSQL with \`SWITCHYARD_PROVIDER=openai\` against a loopback OpenAI-compatible
server; recognisable values for \`OPENAI_API_KEY\`, \`ANTHROPIC_API_KEY\`, \`SWITCHYARD_METRICS_TOKEN\`
and \`AUTH_SECRET\`. The admin creates two API keys through the console's own server action;
${ids.length} conversations (with follow-ups) run on them and the demo key, and one call in five to
the provider fails with an error body that quotes the key back. Then every table (every row as JSON),
the server's stdout and stderr, every console page and console read as the admin, \`/api/metrics\`
and every public API answer are searched for each value.

${figuresTable(figures)}
${leaks.length ? `\nFound:\n\n${leaks.slice(0, 30).map((l) => `- ${l.replace(/\|/g, "\\|")}`).join("\n")}\n` : ""}`,
      );
      expect(leaks).toEqual([]);
      expect(figures.filter((f) => !f.ok).map((f) => f.figure)).toEqual([]);
    } finally {
      await sql.end();
    }
  });
});
