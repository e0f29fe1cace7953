import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_API_KEY, seedDemo } from "@/db/seed";
import { setupTestDatabase, testDb } from "../helpers/db";
import { startAppServer, type AppServer } from "./app-server";
import { fingerprintDatabase, fingerprintDiff, settledFingerprint } from "./db-fingerprint";
import { hostileRequest, type HostileRequest } from "./hostile-requests";
import { figuresTable, recordDrill, sized } from "./report";

/**
 * Drill 6 (issue 10): generated malformed and hostile requests to the public API of the built
 * server. Each must get a 4xx, none a 5xx, no table may change, and the server must stay up.
 */
const PORT = 3112;
const COUNT = sized({ ci: 500, full: 1_000 });
const SEED = Number(process.env.DRILL_SEED ?? 20261121);
const CONCURRENCY = 6;

setupTestDatabase();

let server: AppServer;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = requirePostgres();
  await seedDemo(testDb());
  server = await startAppServer({ port: PORT, databaseUrl });
});

afterAll(async () => {
  await server?.stop();
});

function requirePostgres(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("The bad-input drill runs the built server on PostgreSQL: set DATABASE_URL.");
  return url;
}

interface Outcome {
  request: HostileRequest;
  status: number | "no answer";
  detail?: string;
}

async function send(r: HostileRequest): Promise<Outcome> {
  try {
    const res = await fetch(`${server.url}${r.path}`, {
      method: r.method,
      headers: r.headers,
      body: r.body,
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text().catch(() => "");
    return { request: r, status: res.status, detail: text.slice(0, 200) };
  } catch (error) {
    return { request: r, status: "no answer", detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

async function sendAll(requests: HostileRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) outcomes.push(await send(requests[next++]!));
    }),
  );
  return outcomes;
}

/** A conversation of the demo key, answered by the simulator and now quiet. */
async function settledConversation(): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/conversations`, {
    method: "POST",
    headers: { Authorization: `Bearer ${DEMO_API_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ message: "How do I reset my password?" }),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  for (let i = 0; i < 240; i++) {
    const view = await fetch(`${server.url}/api/v1/conversations/${id}`, { headers: { Authorization: `Bearer ${DEMO_API_KEY}` } });
    const { status } = (await view.json()) as { status: string };
    if (status !== "running") return id;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`conversation ${id} never settled`);
}

const describeRequest = (o: Outcome) =>
  `${o.status} ${o.request.kind}: ${o.request.method} ${o.request.path.slice(0, 80)} (${o.request.body?.byteLength ?? 0} bytes) ${o.detail ?? ""}`;

describe("drill 6: bad input to the public API", () => {
  it(`answers ${COUNT} hostile requests with a 4xx and changes nothing`, async () => {
    const conversationId = await settledConversation();
    const before = await settledFingerprint(databaseUrl);

    const requests = fc.sample(hostileRequest({ apiKey: DEMO_API_KEY, conversationId }), { numRuns: COUNT, seed: SEED });
    const outcomes = await sendAll(requests);

    const health = await fetch(`${server.url}/api/health`).then((r) => r.status).catch(() => 0);
    const after = await fingerprintDatabase(databaseUrl);
    const changed = fingerprintDiff(before, after);
    const fourxx = outcomes.filter((o) => typeof o.status === "number" && o.status >= 400 && o.status < 500);
    const fivexx = outcomes.filter((o) => typeof o.status === "number" && o.status >= 500);
    const other = outcomes.filter((o) => !fourxx.includes(o) && !fivexx.includes(o));
    const up = server.alive() && health === 200;

    const byKind = new Map<string, Map<string, number>>();
    for (const o of outcomes) {
      const counts = byKind.get(o.request.kind) ?? new Map<string, number>();
      counts.set(String(o.status), (counts.get(String(o.status)) ?? 0) + 1);
      byKind.set(o.request.kind, counts);
    }
    const kinds = [...byKind.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, counts]) => `| ${kind} | ${[...counts.entries()].map(([s, n]) => `${s} × ${n}`).join(", ")} |`);

    const figures = [
      { figure: "requests answered with a 4xx", bound: "100%", measured: `${((100 * fourxx.length) / outcomes.length).toFixed(1)}% (${fourxx.length} of ${outcomes.length})`, ok: fourxx.length === outcomes.length },
      { figure: "requests answered with a 5xx", bound: "0", measured: fivexx.length, ok: fivexx.length === 0 },
      { figure: "requests with no answer or another status", bound: "0", measured: other.length, ok: other.length === 0 },
      { figure: "tables changed (row count or checksum)", bound: "0", measured: changed.length, ok: changed.length === 0 },
      { figure: "server up afterwards (process alive, /api/health 200)", bound: "yes", measured: up ? "yes" : "no", ok: up },
    ];
    recordDrill(
      "bad-input",
      "Drill 6: bad input to the public API",
      `${COUNT} requests generated by fast-check (seed ${SEED}) against \`next start\` on PostgreSQL, ${CONCURRENCY} at a time:
wrong types, non-object bodies, unknown fields, bodies up to 3 MB, JSON nested up to 30,000 deep,
invalid UTF-8, text PostgreSQL cannot store (NUL, lone surrogates), bad or missing keys, hostile
conversation ids and Idempotency-Keys, unsupported methods, with SQL, template and path injection
strings in every field. Every table's row count and checksum is compared before and after.

${figuresTable(figures)}

| kind of request | answers |
| --- | --- |
${kinds.join("\n")}
${[...fivexx, ...other].length ? `\nRefused wrongly:\n\n${[...fivexx, ...other].slice(0, 20).map((o) => `- ${describeRequest(o).replace(/\|/g, "\\|")}`).join("\n")}\n` : ""}${changed.length ? `\nChanged: ${changed.join("; ")}\n` : ""}`,
    );
    expect([...fivexx, ...other].map(describeRequest)).toEqual([]);
    expect(changed).toEqual([]);
    expect(up).toBe(true);
  });
});
