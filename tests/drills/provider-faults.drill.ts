import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getConversationRoute } from "@/app/api/v1/conversations/[id]/route";
import * as schema from "@/db/schema";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { type Env, getEnv } from "@/lib/env";
import { newId } from "@/lib/ids";
import { createModel } from "@/lib/providers";
import { startConversation } from "@/lib/runs/conversations";
import { createResilience, type Resilience } from "@/lib/runs/resilience";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { RunWorker } from "@/lib/runs/worker";
import { modelRouterAgent, summarizerAgent, TEMPLATE_AUTHOR, ToolRegistry } from "@/lib/runtime";
import { percentile, sleep } from "../drill/fleet";
import { setupTestDatabase, testDb } from "../helpers/db";
import {
  agentOf,
  type FakeProviderServer,
  faultKinds,
  type RecordedRequest,
  reply,
  startFakeProviderServer,
  withFaults,
} from "../helpers/fake-openai-server";
import { type Figure, figuresTable, recordDrill, sized } from "./report";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

/**
 * Drill 4 (issue 10): 30% of model calls fail (429, 500/503, no answer until the timeout, and
 * malformed JSON, evenly) under steady load. The path is the production one: the AI SDK OpenAI
 * adapter over HTTP to a loopback server (tests/helpers/fake-openai-server.ts), inside the
 * process's resilience layer (lib/runs/resilience.ts: Postgres breakers, retries) and the
 * support team's fallback ladder, driven by a RunWorker. Every conversation must end resolved,
 * waiting for the customer or escalated to a person; no message the customer can read through
 * GET /api/v1/conversations/{id} may show a provider error; no run may be left running.
 */
const LOAD_MS = sized({ ci: 30_000, full: 5 * 60_000 });
const SPACING_MS = 400;
const FAULT_RATE = 0.3;
const TIMEOUT_MS = 1_000;
const DRAIN_MS = 120_000;
// The runtime's own agents call the provider too: the router picks billing's and technical's tier,
// the summariser folds older turns into the context.
const agents = [...supportChain.agents, modelRouterAgent, summarizerAgent];
// What a raw provider error looks like: its message, a status, a class name or a stack frame.
const rawError =
  /rate.?limit|too many requests|server_error|server had an error|status code|\b(status|http|code)\W{0,3}(429|5\d\d)\b|timed? ?out|abort|unexpected (end|token)|json|chatcmpl|fake server|breaker|\w+Error\b|\n\s+at /i;

const questions = [
  "I cannot sign in, how do I reset my password?",
  "Where can I download last month's invoice for our accounting?",
  "The desktop app says Sync failed on my laptop.",
  "Do you ship to Canada?",
];
const route: Record<number, string> = { 0: "technical", 1: "billing", 2: "technical", 3: "general" };

/** A healthy provider for the support team: triage hands over, specialists answer, the reviewer approves. */
function supportResponder(request: RecordedRequest) {
  const agent = agentOf(request, agents);
  const messages = (request.body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const question = messages.find((m) => m.role === "user")?.content;
  const to = route[questions.findIndex((q) => typeof question === "string" && question.includes(q))] ?? "general";
  switch (agent) {
    case "triage":
      return reply.toolCall(`transfer_to_${to}`, { context: "the customer's question, as asked" });
    case "technical":
      return messages.some((m) => m.role === "tool")
        ? reply.json({ reply: "Open Settings, then Sync, and sign in again (kb-101).", confidence: 0.9, citations: ["kb-101"] })
        : reply.toolCall("kb_search", { query: "sync failed sign in" });
    case "billing":
    case "general":
      return reply.json({ reply: "Invoices are under Billing, then History; we ship to Canada.", confidence: 0.9, citations: [] });
    case "reviewer":
      return reply.json({ approved: true, confidence: 0.95, issues: [] });
    case modelRouterAgent.name:
      return reply.json({ tier: "standard", reason: "A usual support question." });
    case summarizerAgent.name:
      return reply.json({ summary: "The customer asked a support question and got an answer." });
    default:
      return undefined;
  }
}

let server: FakeProviderServer;
let resilience: Resilience;
let worker: RunWorker;
let parts: RuntimeParts;
const faults = withFaults(supportResponder, {
  rate: FAULT_RATE,
  wantsJson: (request) => agentOf(request, agents) !== "triage",
});

setupTestDatabase();

beforeAll(async () => {
  server = await startFakeProviderServer();
  server.respond(faults.responder);
  const env: Env = {
    ...getEnv(),
    SWITCHYARD_PROVIDER: "openai",
    OPENAI_API_KEY: "sk-drill-loopback-0123456789",
    OPENAI_BASE_URL: server.url,
    SWITCHYARD_MODEL_TIMEOUT_MS: TIMEOUT_MS,
    SWITCHYARD_RATE_LIMIT_RPM: 0,
    SWITCHYARD_RATE_LIMIT_TPM: 0,
  };
  resilience = createResilience(testDb(), env);
  parts = {
    chains: [supportChain],
    tools: new ToolRegistry(supportTools),
    model: createModel(env),
    invokeModel: resilience.invokeModel,
    invokeModelFor: resilience.invokeModelFor,
  };
  worker = new RunWorker({ db: testDb(), parts, concurrency: 32, pollMs: 20 });
});

afterAll(async () => {
  await worker?.stop();
  await resilience?.breakers.stop();
  await server?.close();
});

describe("provider-faults drill", () => {
  it("ends every conversation resolved, waiting or escalated, with no raw error shown and no stuck run", async () => {
    const key = generateApiKey();
    const keyId = newId("key");
    await testDb().insert(schema.apiKeys).values({ id: keyId, name: "provider-faults drill", prefix: key.slice(0, 12), keyHash: hashApiKey(key) });
    await worker.start();

    // A steady arrival rate: a conversation starts every SPACING_MS whether or not the last has.
    const starts: Array<Promise<string>> = [];
    const started = Date.now();
    for (let i = 0; Date.now() - started < LOAD_MS; i++) {
      const message = questions[i % questions.length]!;
      starts.push(startConversation(testDb(), { message, apiKeyId: keyId }, parts).then(({ id }) => (worker.nudge(), id)));
      await sleep(SPACING_MS);
    }
    const ids = await Promise.all(starts);
    const loadEnded = Date.now();
    while ((await stuckRuns()) > 0 && Date.now() - loadEnded < DRAIN_MS) await sleep(200);
    const drainMs = Date.now() - loadEnded;
    const stuck = await stuckRuns();

    // What the customer sees: the public API's view of each conversation.
    const statuses: Record<string, number> = {};
    const leaks: string[] = [];
    let readFailures = 0;
    let customerMessages = 0;
    for (const id of ids) {
      const res = await getConversationRoute(
        new Request(`http://localhost/api/v1/conversations/${id}`, { headers: { authorization: `Bearer ${key}` } }),
        { params: Promise.resolve({ id }) },
      );
      if (res.status !== 200) {
        readFailures += 1;
        continue;
      }
      const body = (await res.json()) as { status: string; messages: Array<{ role: string; content: string }> };
      statuses[body.status] = (statuses[body.status] ?? 0) + 1;
      for (const m of body.messages.filter((m) => m.role !== "customer")) {
        customerMessages += 1;
        if (rawError.test(m.content)) leaks.push(`${id}: ${m.content.slice(0, 120)}`);
      }
    }
    const settled = (statuses.resolved ?? 0) + (statuses.waiting_for_customer ?? 0) + (statuses.escalated ?? 0);
    const calls = server.requests.length;
    const injected = faultKinds.reduce((n, k) => n + faults.injected[k], 0);
    const [answeredBy] = await queryRows<Record<string, number>>(testDb(), sql`select
      count(*) filter (where m.author in ('technical', 'billing', 'general'))::int as specialists,
      count(*) filter (where m.author = ${TEMPLATE_AUTHOR})::int as template,
      count(*) filter (where m.author = 'switchyard')::int as switchyard,
      count(*) filter (where m.author not in ('technical', 'billing', 'general', 'switchyard', ${TEMPLATE_AUTHOR}))::int as other
      from messages m where m.role = 'agent'`);
    const runSeconds = await queryRows<{ ms: number }>(testDb(), sql`select duration_ms::float8 as ms from runs where duration_ms is not null`);

    const errors = await queryRows<{ category: string; n: number }>(testDb(), sql`
      select coalesce(data->'error'->>'category', data->'error'->>'kind', 'none') as category, count(*)::int as n
      from run_events where type = 'llm_call' and data ? 'error' group by 1 order by 2 desc`);
    const openings = await queryRows<{ key: string; n: number; reasons: string }>(testDb(), sql`
      select breaker_key as key, count(*)::int as n, string_agg(distinct coalesce(reason, ''), '; ') as reasons
      from breaker_transitions where to_status = 'open' group by 1 order by 2 desc`);
    const figures: Figure[] = [
      { figure: "requests the fake provider had no answer for", bound: "0", measured: server.unexpected.length, ok: server.unexpected.length === 0 },
      { figure: "conversations under load", bound: "—", measured: ids.length, ok: ids.length > 0 },
      { figure: "model calls that failed (injected)", bound: `30% ± ${Math.round(100 * faultTolerance(calls))} points`, measured: `${injected} of ${calls} (${Math.round((100 * injected) / Math.max(1, calls))}%)`, ok: calls > 0 && Math.abs(injected / calls - FAULT_RATE) <= faultTolerance(calls) },
      { figure: "faults by kind (429 / 5xx / timeout / malformed JSON)", bound: "all four", measured: faultKinds.map((k) => faults.injected[k]).join(" / "), ok: faultKinds.every((k) => faults.injected[k] > 0) },
      { figure: "conversations ended resolved, waiting or escalated", bound: `${ids.length} of ${ids.length}`, measured: `${settled} of ${ids.length}`, ok: settled === ids.length },
      { figure: "raw provider errors shown to customers", bound: "0", measured: `${leaks.length} (of ${customerMessages} messages read)`, ok: leaks.length === 0 && readFailures === 0 && customerMessages >= ids.length },
      { figure: "stuck runs", bound: "0", measured: stuck, ok: stuck === 0 },
    ];
    const notes = [
      `Statuses: ${Object.entries(statuses).map(([s, n]) => `${s} ${n}`).join(", ")}. Replies by a specialist ${answeredBy?.specialists ?? 0}, by the ladder's help-center template ${answeredBy?.template ?? 0}, hand-over notes ${answeredBy?.switchyard ?? 0}, other ${answeredBy?.other ?? 0}.`,
      `Load ${Math.round(LOAD_MS / 1000)} s, one conversation every ${SPACING_MS} ms; model timeout ${TIMEOUT_MS} ms; drained in ${Math.round(drainMs / 1000)} s; run duration p50 ${Math.round(percentile(runSeconds.map((r) => r.ms), 50))} ms, p99 ${Math.round(percentile(runSeconds.map((r) => r.ms), 99))} ms.`,
      `Breaker openings: ${openings.map((o) => `${o.key} ×${o.n} (${o.reasons})`).join(", ") || "none"}.`,
      `Failed calls the runs recorded, by class: ${errors.map((e) => `${e.category} ${e.n}`).join(", ") || "none"}.`,
      ...leaks.slice(0, 5).map((l) => `Leak: ${l}`),
    ];
    recordDrill("provider-faults", "Drill 4: provider faults", `${figuresTable(figures)}\n\n${notes.join("\n")}`);
    expect(figures.filter((f) => !f.ok)).toEqual([]);
  });
});

/**
 * How far the injected share may stray from FAULT_RATE by chance: three standard deviations of a
 * binomial share over `calls` draws. A fixed ±5 points failed a ci-scale run with 38 calls (one
 * standard deviation there is 7 points); this bound still fails when the injector is off or broken.
 */
function faultTolerance(calls: number): number {
  return 3 * Math.sqrt((FAULT_RATE * (1 - FAULT_RATE)) / Math.max(1, calls));
}

async function stuckRuns(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(testDb(), sql`select count(*)::int as n from runs where status = 'running'`);
  return row?.n ?? 0;
}
