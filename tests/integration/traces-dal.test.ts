import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "@/db/schema";
import { getSpanPayload, getTrace, listTraces, TRACE_MAX_SPANS, type TraceStatus } from "@/lib/dal/traces";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { startConversation } from "@/lib/runs/conversations";
import { rootSpanId, traceTotals } from "@/lib/tracing/spans";
import { createOneUserPerRole, setupTestDatabase, testDb, type TestUser } from "../helpers/db";
import { instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

// Hand-inserted runs live in 2031 so that windows around them never see the real runs made now.
const base = Date.UTC(2031, 5, 1, 12, 0, 0);
const minute = 60_000;
const window = { from: new Date(base - 60 * minute), to: new Date(base + 60 * minute) };

interface Seeded {
  runId: string;
  traceId: string;
  status: TraceStatus;
  createdAt: Date;
  /** Microseconds past createdAt's millisecond, which a JS Date cannot hold. */
  micros: number;
  agents: string[];
  models: string[];
  costUsd: number;
  durationMs: number | null;
}

const traceIdOf = () => randomBytes(16).toString("hex");

async function insertConversation(createdAt: Date): Promise<string> {
  const id = newId("cnv", createdAt.getTime());
  await testDb().insert(schema.conversations).values({ id, status: "resolved", chain: "support", createdAt, updatedAt: createdAt });
  return id;
}

async function insertRun(opts: Omit<Seeded, "runId" | "traceId"> & { conversationId: string }): Promise<Seeded> {
  const runId = newId("run", opts.createdAt.getTime());
  const traceId = traceIdOf();
  await testDb()
    .insert(schema.runs)
    .values({
      id: runId,
      conversationId: opts.conversationId,
      chain: "support",
      status: opts.status,
      seq: 1,
      checkpoint: {},
      traceId,
      createdAt: opts.createdAt,
      // Never claimable: the worker of the real-conversation tests must leave these rows alone.
      availableAt: new Date(Date.UTC(2100, 0, 1)),
      durationMs: opts.durationMs,
      costUsd: opts.costUsd,
      inputTokens: 100,
      outputTokens: 20,
      llmCalls: 2,
      errors: opts.status === "failed" ? 1 : 0,
      agents: opts.agents,
      models: opts.models,
    });
  if (opts.micros) {
    const at = `${opts.createdAt.toISOString().slice(0, 23)}${String(opts.micros).padStart(3, "0")}Z`;
    await testDb().execute(sql`update runs set created_at = ${at}::timestamptz where id = ${runId}`);
  }
  const { conversationId: _c, ...rest } = opts;
  return { ...rest, runId, traceId };
}

let users: Record<"admin" | "engineer" | "support_lead", TestUser>;
const seeded: Seeded[] = [];
const statuses: TraceStatus[] = ["running", "waiting_for_human", "completed", "escalated", "failed"];

beforeAll(async () => {
  users = await createOneUserPerRole();
  const conversationId = await insertConversation(new Date(base - 120 * minute));
  // 30 runs over the window; four share one millisecond (two apart only in microseconds), so
  // paging must order by the full timestamp and break ties on id.
  for (let i = 0; i < 30; i++) {
    const createdAt = new Date(base - 50 * minute + (i < 4 ? 0 : i) * minute);
    seeded.push(
      await insertRun({
        conversationId,
        status: statuses[i % statuses.length]!,
        createdAt,
        micros: i === 2 ? 400 : i === 3 ? 200 : 0,
        agents: i % 3 === 0 ? ["triage", "billing"] : ["triage", "technical"],
        models: i % 2 === 0 ? ["simulator/fast"] : ["simulator/fast", "simulator/strong"],
        costUsd: i / 1000,
        durationMs: i % 5 === 0 ? null : i * 100,
      }),
    );
  }
});

const expectedOrder = (rows: Seeded[]) =>
  [...rows]
    .sort(
      (a, b) =>
        b.createdAt.getTime() - a.createdAt.getTime() ||
        b.micros - a.micros ||
        (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0),
    )
    .map((s) => s.runId);

async function allPages(opts: Parameters<typeof listTraces>[0] & { limit: number }) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const page: Awaited<ReturnType<typeof listTraces>> = await listTraces({ ...opts, cursor });
    expect(page.rows.length).toBeLessThanOrEqual(opts.limit);
    seen.push(...page.rows.map((r) => r.runId));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return seen;
}

describe("listTraces", () => {
  it("lists newest first and pages by cursor without gaps or duplicates", async () => {
    signInAs(users.engineer.id);
    for (const limit of [1, 4, 7, 100]) {
      expect(await allPages({ ...window, limit })).toEqual(expectedOrder(seeded));
    }
  });

  it("returns the row the list shows, and nothing more", async () => {
    signInAs(users.admin.id);
    const s = seeded[29]!;
    const page = await listTraces({ from: s.createdAt, to: new Date(s.createdAt.getTime() + 1), limit: 10 });
    expect(page.rows).toEqual([
      {
        traceId: s.traceId,
        runId: s.runId,
        conversationId: expect.stringMatching(/^cnv_/) as unknown,
        chain: "support",
        status: s.status,
        startedAt: s.createdAt.toISOString(),
        durationMs: s.durationMs,
        costUsd: s.costUsd,
        tokens: 120,
        llmCalls: 2,
        errors: s.status === "failed" ? 1 : 0,
        agents: s.agents,
        models: s.models,
      },
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it("keeps to the time window: from inclusive, to exclusive, at most 31 days wide", async () => {
    signInAs(users.engineer.id);
    const s10 = seeded[10]!;
    const s20 = seeded[20]!;
    const page = await listTraces({ from: s10.createdAt, to: s20.createdAt, limit: 100 });
    expect(page.rows.map((r) => r.runId)).toEqual(expectedOrder(seeded.slice(10, 20)));
    expect(page.window).toEqual({ from: s10.createdAt.toISOString(), to: s20.createdAt.toISOString() });

    // A 60-day window is cut to the 31 days before its end.
    const to = new Date(base + 40 * 24 * 3600_000);
    const wide = await listTraces({ from: new Date(base - 20 * 24 * 3600_000), to, limit: 100 });
    expect(wide.rows).toEqual([]);
    expect(wide.window.from).toBe(new Date(to.getTime() - 31 * 24 * 3600_000).toISOString());

    // The default window is the last 24 hours of `now`.
    const now = base + 10 * minute;
    const byDefault = await listTraces({ now, limit: 100 });
    expect(byDefault.rows.map((r) => r.runId)).toEqual(expectedOrder(seeded));
    expect((await listTraces({ now: base + 25 * 3600_000, limit: 100 })).rows).toEqual([]);
    // A window that ends before it starts is empty, not an error.
    expect((await listTraces({ from: window.to, to: window.from })).rows).toEqual([]);
  });

  it("filters by agent, model, status, minimum cost and minimum latency, and pages the result", async () => {
    signInAs(users.engineer.id);
    const cases: [Parameters<typeof listTraces>[0], (s: Seeded) => boolean][] = [
      [{ agent: "billing" }, (s) => s.agents.includes("billing")],
      [{ agent: "technical" }, (s) => s.agents.includes("technical")],
      [{ agent: "nobody" }, () => false],
      [{ model: "simulator/strong" }, (s) => s.models.includes("simulator/strong")],
      [{ status: "escalated" }, (s) => s.status === "escalated"],
      [{ minCostUsd: 0.02 }, (s) => s.costUsd >= 0.02],
      [{ minDurationMs: 1500 }, (s) => s.durationMs !== null && s.durationMs >= 1500],
      [
        { agent: "triage", model: "simulator/strong", status: "waiting_for_human", minCostUsd: 0.005 },
        (s) => s.models.includes("simulator/strong") && s.status === "waiting_for_human" && s.costUsd >= 0.005,
      ],
    ];
    for (const [filter, keep] of cases) {
      const expected = expectedOrder(seeded.filter(keep));
      expect(await allPages({ ...window, ...filter, limit: 3 }), JSON.stringify(filter)).toEqual(expected);
    }
    // Each case above narrows: none of them is vacuous.
    expect(seeded.filter((s) => s.agents.includes("billing")).length).toBeLessThan(seeded.length);
  });

  it("ignores a malformed cursor instead of failing", async () => {
    signInAs(users.engineer.id);
    const first = await listTraces({ ...window, limit: 3 });
    for (const bad of ["garbage", Buffer.from("2031-02-31T00:00:00.000000Z|x").toString("base64url"), "%%%"]) {
      const page = await listTraces({ ...window, limit: 3, cursor: bad });
      expect(page.rows.map((r) => r.runId)).toEqual(first.rows.map((r) => r.runId));
    }
  });
});

describe("a real conversation's trace", () => {
  let traceId: string;
  let runId: string;

  beforeAll(async () => {
    const parts = instantParts();
    const worker = testWorker(parts);
    await worker.start();
    try {
      const started = await startConversation(testDb(), { message: "my sync failed with an error", apiKeyId: null }, parts);
      await settledConversation(started.id);
      traceId = started.traceId;
      const [run] = await runsOf(started.id);
      runId = run!.id;
    } finally {
      await worker.stop();
    }
  });

  it("is listed with its totals and found by its agents and models", async () => {
    signInAs(users.engineer.id);
    const page = await listTraces({ agent: "technical", limit: 100 });
    const row = page.rows.find((r) => r.traceId === traceId);
    expect(row).toMatchObject({ runId, status: "completed", chain: "support" });
    expect(row!.llmCalls).toBeGreaterThan(0);
    expect(row!.tokens).toBeGreaterThan(0);
    expect(row!.agents).toEqual(expect.arrayContaining(["triage", "technical"]));
    const model = row!.models[0]!;
    expect((await listTraces({ model, limit: 100 })).rows.map((r) => r.traceId)).toContain(traceId);
    expect((await listTraces({ agent: "billing", limit: 100 })).rows.map((r) => r.traceId)).not.toContain(traceId);
  });

  it("getTrace returns the run summary and every span, tree-ready, without payloads", async () => {
    signInAs(users.engineer.id);
    const trace = await getTrace(traceId);
    expect(trace).toMatchObject({ traceId, runId, status: "completed", spansTruncated: false });
    const spans = trace!.spans;
    expect(spans.map((s) => s.kind)).toEqual(expect.arrayContaining(["run", "step", "llm", "handoff", "tool"]));
    const ids = new Set(spans.map((s) => s.id));
    const root = spans.find((s) => s.id === rootSpanId(runId))!;
    expect(root).toMatchObject({ parentId: null, kind: "run", startOffsetMs: 0 });
    for (const s of spans) {
      expect(s).not.toHaveProperty("payload");
      if (s.parentId !== null) expect(ids.has(s.parentId), `${s.name} has its parent`).toBe(true);
      expect(s.startOffsetMs).toBeGreaterThanOrEqual(0);
    }
    // Step and LLM spans are derived from the step log, not stored; steps parent the rest.
    const steps = spans.filter((s) => s.kind === "step");
    expect(steps.length).toBeGreaterThan(0);
    const storedDerivable = await testDb()
      .select({ id: schema.spans.spanId })
      .from(schema.spans)
      .where(sql`trace_id = ${traceId} and kind in ('step', 'llm')`);
    expect(storedDerivable).toEqual([]);
    for (const s of spans.filter((x) => x.kind === "llm"))
      expect(steps.map((x) => x.id), `${s.name} hangs from a step`).toContain(s.parentId);
    expect(await getSpanPayload(traceId, steps[0]!.id)).toEqual({ traceId, spanId: steps[0]!.id, payload: null });
    expect(await getSpanPayload(traceId, "00000000000000ff")).toBeNull();
    // A run from before step spans were derived has them stored too: the stored one is shown once.
    const legacy = steps[0]!;
    await testDb().insert(schema.spans).values({
      traceId, spanId: legacy.id, parentSpanId: legacy.parentId, runId, name: "stored step", kind: "step",
      status: "ok", startedAt: new Date(legacy.startedAt), endedAt: new Date(legacy.startedAt),
    });
    try {
      const again = (await getTrace(traceId))!.spans.filter((s) => s.id === legacy.id);
      expect(again.map((s) => s.name)).toEqual(["stored step"]);
    } finally {
      await testDb().delete(schema.spans).where(sql`trace_id = ${traceId} and span_id = ${legacy.id}`);
    }
    const llm = spans.find((s) => s.kind === "llm")!;
    expect(llm.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": llm.model,
      "gen_ai.usage.input_tokens": llm.inputTokens,
      "gen_ai.agent.name": llm.agent,
    });
    // ...and the call's row for the aggregates across runs says the same.
    const [call] = await testDb()
      .select()
      .from(schema.llmCalls)
      .where(sql`trace_id = ${traceId} and span_id = ${llm.id}`);
    expect(call).toMatchObject({ agent: llm.agent, agentVersion: llm.agentVersion, model: llm.model, inputTokens: llm.inputTokens });
    expect(llm.attributes).toMatchObject({ "switchyard.attempt": 1 });
    expect(llm.durationMs).not.toBeNull();
    expect(llm.agent).toBeTruthy();
    expect(llm.agentVersion).toBeGreaterThan(0);
    expect(JSON.stringify(trace)).not.toContain('"payload"');
    expect(trace!.costUsd).toBeCloseTo(spans.reduce((n, s) => n + (s.kind === "llm" ? (s.costUsd ?? 0) : 0), 0), 10);
  });

  it("counts a running run's totals from its spans and LLM calls, which its row counts only up to its last stored checkpoint", async () => {
    signInAs(users.engineer.id);
    const settled = (await getTrace(traceId))!;
    // Settled, the row's totals are what its spans add up to.
    const fromSpans = traceTotals(settled.spans);
    expect(fromSpans).toMatchObject({ llmCalls: settled.llmCalls, inputTokens: settled.inputTokens, outputTokens: settled.outputTokens, errors: settled.errors });
    expect(fromSpans.costUsd).toBeCloseTo(settled.costUsd, 10);
    expect([...fromSpans.agents].sort()).toEqual([...settled.agents].sort());
    expect([...fromSpans.models].sort()).toEqual([...settled.models].sort());
    // The same run as a running run's row holds it after mid-run steps that wrote no run row.
    const [row] = await testDb().select().from(schema.runs).where(sql`id = ${runId}`);
    await testDb().execute(sql`update runs set status = 'running', llm_calls = 1, input_tokens = 1, output_tokens = 1,
      cost_usd = 0, agents = '{triage}', models = '{}' where id = ${runId}`);
    try {
      const running = (await getTrace(traceId))!;
      expect(running).toMatchObject({ status: "running", llmCalls: settled.llmCalls, inputTokens: settled.inputTokens, outputTokens: settled.outputTokens });
      expect([...running.agents].sort()).toEqual([...settled.agents].sort());
      // The list counts its LLM calls from their rows.
      const listed = (await listTraces({ status: "running", limit: 100 })).rows.find((r) => r.traceId === traceId);
      expect(listed).toMatchObject({ llmCalls: settled.llmCalls, tokens: settled.inputTokens + settled.outputTokens });
      expect(listed!.costUsd).toBeCloseTo(settled.costUsd, 10);
      expect([...listed!.models].sort()).toEqual([...settled.models].sort());
    } finally {
      await testDb().update(schema.runs).set(row!).where(sql`id = ${runId}`);
    }
  });

  it("getSpanPayload returns a span's inputs and outputs", async () => {
    signInAs(users.engineer.id);
    const trace = await getTrace(traceId);
    const tool = trace!.spans.find((s) => s.kind === "tool")!;
    const payload = await getSpanPayload(traceId, tool.id);
    expect(payload).toMatchObject({ traceId, spanId: tool.id, payload: { input: expect.anything() as unknown, output: { ok: true } } });
    const root = await getSpanPayload(traceId, rootSpanId(runId));
    expect(root?.payload).toMatchObject({ input: expect.stringContaining("sync failed") as unknown });
    expect(await getSpanPayload(traceId, "0123456789abcdef")).toBeNull();
    expect(await getSpanPayload(traceIdOf(), tool.id)).toBeNull();
    expect(await getSpanPayload("not-a-trace", tool.id)).toBeNull();
  });

  it("answers null for an unknown or malformed trace id", async () => {
    signInAs(users.admin.id);
    expect(await getTrace(traceIdOf())).toBeNull();
    expect(await getTrace("../etc/passwd")).toBeNull();
    expect(await getTrace(traceId.toUpperCase())).toBeNull();
  });

  it("is for engineers and admins only", async () => {
    const denied = async (caller: string | null, code: string) => {
      signInAs(caller);
      const is = (e: unknown) => e instanceof AppError && e.code === code;
      await expect(listTraces({})).rejects.toSatisfy(is);
      await expect(getTrace(traceId)).rejects.toSatisfy(is);
      await expect(getSpanPayload(traceId, rootSpanId(runId))).rejects.toSatisfy(is);
    };
    await denied(null, "unauthorized");
    await denied(users.support_lead.id, "forbidden");
    for (const user of [users.engineer, users.admin]) {
      signInAs(user.id);
      expect(await getTrace(traceId)).not.toBeNull();
      expect(await getSpanPayload(traceId, rootSpanId(runId))).not.toBeNull();
    }
  });
});

describe("getTrace on hand-written spans", () => {
  afterAll(() => signInAs(null));

  it("offsets spans from the earliest start and derives a missing duration from the end", async () => {
    signInAs(users.engineer.id);
    const s = seeded[5]!;
    const t0 = s.createdAt.getTime();
    const rows = [
      { spanId: "a000000000000001", parentSpanId: null, kind: "run", start: 0, end: null, duration: null },
      { spanId: "a000000000000002", parentSpanId: "a000000000000001", kind: "step", start: 100, end: 400, duration: null },
      { spanId: "a000000000000003", parentSpanId: "ffffffffffffffff", kind: "llm", start: 150, end: 250, duration: 100 },
    ];
    await testDb()
      .insert(schema.spans)
      .values(
        rows.map((r) => ({
          traceId: s.traceId,
          spanId: r.spanId,
          parentSpanId: r.parentSpanId,
          runId: s.runId,
          name: `${r.kind} span`,
          kind: r.kind,
          status: r.kind === "llm" ? "error" : "ok",
          startedAt: new Date(t0 + r.start),
          endedAt: r.end === null ? null : new Date(t0 + r.end),
          durationMs: r.duration,
          error: r.kind === "llm" ? "<b>rate_limited</b>" : null,
          attributes: { n: 1, nested: { deep: true } },
          payload: { secretless: "payload" },
        })),
      );
    const trace = await getTrace(s.traceId);
    expect(trace!.spans.map((x) => [x.id, x.parentId, x.startOffsetMs, x.durationMs])).toEqual([
      ["a000000000000001", null, 0, null],
      ["a000000000000002", "a000000000000001", 100, 300],
      ["a000000000000003", "ffffffffffffffff", 150, 100],
    ]);
    expect(trace!.spans[2]).toMatchObject({ status: "error", error: "<b>rate_limited</b>" });
    // Nested JSON in attributes comes back as text, never as an object to render.
    expect(trace!.spans[0]!.attributes).toEqual({ n: 1, nested: '{"deep":true}' });
  });

  it(`keeps at most ${TRACE_MAX_SPANS} spans and says so`, async () => {
    signInAs(users.engineer.id);
    const s = seeded[6]!;
    await testDb().execute(sql`
      insert into spans (trace_id, span_id, parent_span_id, run_id, name, kind, status, started_at, attributes)
      select ${s.traceId}, lpad(to_hex(i), 16, '0'), null, ${s.runId}, 'span ' || i, 'tool', 'ok',
        ${s.createdAt.toISOString()}::timestamptz + i * interval '1 millisecond', '{}'::jsonb
      from generate_series(1, ${TRACE_MAX_SPANS + 1}) as i`);
    const trace = await getTrace(s.traceId);
    expect(trace!.spans).toHaveLength(TRACE_MAX_SPANS);
    expect(trace!.spansTruncated).toBe(true);
    expect(trace!.spans.at(-1)!.name).toBe(`span ${TRACE_MAX_SPANS}`);
  });
});
