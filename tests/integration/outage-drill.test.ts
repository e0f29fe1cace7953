import { asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { SimulatorModel } from "@/lib/providers/simulator";
import { instantSimulatorConfig, type SimulatorConfig } from "@/lib/providers/simulator/config";
import { startConversation } from "@/lib/runs/conversations";
import { PgBreakerStore } from "@/lib/runs/pg-breaker-store";
import { breakerKeysFor } from "@/lib/runs/resilience";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { RunWorker } from "@/lib/runs/worker";
import {
  defaultBreakerConfig,
  type Model,
  type ModelRequest,
  type ModelResponse,
  resilientInvoker,
  systemClock,
  TEMPLATE_AUTHOR,
  ToolRegistry,
} from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { settledConversation } from "../helpers/runtime";

/**
 * Outage drill (issue 6, acceptance 3): the simulated provider fails every call for a while
 * under steady load, then recovers. Breakers, retries and the support team's fallback ladder
 * must keep every conversation answered by a lower rung or handed to a person, never showing a
 * raw error, call the provider at most once per cooldown while a breaker is open, and send
 * traffic back to the specialists once the provider is healthy again.
 */
setupTestDatabase();

const COOLDOWN_MS = 400;
const POLL_MS = 100;
const SPACING_MS = 60;
const OUTAGE_MS = 2_000;

interface UpstreamCall {
  at: number;
  agent: string;
  tier: string;
}

/** Records every call that reaches the provider. */
class CountingModel implements Model {
  readonly calls: UpstreamCall[] = [];
  constructor(private readonly inner: Model) {}
  generate(request: ModelRequest): Promise<ModelResponse> {
    this.calls.push({ at: Date.now(), agent: request.agent.name, tier: request.tier });
    return this.inner.generate(request);
  }
}

let simulator: SimulatorConfig = instantSimulatorConfig(7);
const outage: SimulatorConfig = {
  ...simulator,
  faults: [
    {
      target: {},
      rates: {
        rate_limit: 0,
        server_error: 1,
        timeout: 0,
        malformed_json: 0,
        schema_violation: 0,
        disallowed_tool: 0,
      },
      retryAfterMs: 0,
    },
  ],
};
const model = new CountingModel(new SimulatorModel(() => simulator));
let breakers: PgBreakerStore;
let parts: RuntimeParts;
let worker: RunWorker;

// Built once the test database exists (on PostgreSQL, setupTestDatabase switches databases).
beforeAll(() => {
  breakers = new PgBreakerStore(testDb(), {
    configFor: () => ({
      ...defaultBreakerConfig,
      consecutiveFailures: 3,
      cooldownMs: COOLDOWN_MS,
      probeTimeoutMs: 5_000,
    }),
    pollMs: POLL_MS,
  });
  parts = {
    chains: [supportChain],
    tools: new ToolRegistry(supportTools),
    model,
    invokeModel: resilientInvoker({
      clock: systemClock,
      breakers,
      breakerKeys: breakerKeysFor((tier) => `simulator/${tier}`),
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    }),
  };
  worker = new RunWorker({ db: testDb(), parts, concurrency: 8, pollMs: 20 });
});

afterAll(async () => {
  await worker.stop();
  await breakers.stop();
});

const questions = [
  "I cannot sign in, how do I reset my password?",
  "Where can I download last month's invoice for our accounting?",
  "The desktop app says Sync failed on my laptop.",
  "Do you ship to Canada?",
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function load(durationMs: number): Promise<string[]> {
  const ids: string[] = [];
  const end = Date.now() + durationMs;
  for (let i = 0; Date.now() < end; i++) {
    const { id } = await startConversation(
      testDb(),
      { message: questions[i % questions.length]!, apiKeyId: null },
      parts,
    );
    ids.push(id);
    worker.nudge();
    await sleep(SPACING_MS);
  }
  return ids;
}

async function outcomes(ids: string[]) {
  const settled = await Promise.all(ids.map((id) => settledConversation(id, 30_000)));
  const messages = await testDb()
    .select()
    .from(schema.messages)
    .where(inArray(schema.messages.conversationId, ids))
    .orderBy(asc(schema.messages.createdAt));
  const replies = messages.filter((m) => m.role === "agent");
  return { statuses: settled.map((c) => c.status), replies };
}

/** [opened, closed) intervals of a breaker from its recorded transitions. */
async function openIntervals(key: string, until: number): Promise<Array<[number, number]>> {
  const rows = await testDb()
    .select()
    .from(schema.breakerTransitions)
    .where(eq(schema.breakerTransitions.breakerKey, key))
    .orderBy(asc(schema.breakerTransitions.at), asc(schema.breakerTransitions.id));
  const intervals: Array<[number, number]> = [];
  let openedAt: number | null = null;
  for (const row of rows) {
    if (row.fromStatus === "closed" && row.toStatus === "open") openedAt = row.at.getTime();
    if (row.toStatus === "closed" && openedAt !== null) {
      intervals.push([openedAt, row.at.getTime()]);
      openedAt = null;
    }
  }
  if (openedAt !== null) intervals.push([openedAt, until]);
  return intervals;
}

describe("outage drill", () => {
  it(
    "falls back, probes once per cooldown, never shows a raw error, and recovers to the specialists",
    { timeout: 90_000 },
    async () => {
      await breakers.start();
      await worker.start();

      const healthy = await outcomes(await load(300));
      expect(healthy.replies.some((m) => m.author === "technical" || m.author === "billing")).toBe(
        true,
      );

      simulator = outage;
      const outageStarted = Date.now();
      const duringOutage = await load(OUTAGE_MS);
      const during = await outcomes(duringOutage);
      simulator = instantSimulatorConfig(7);
      const outageEnded = Date.now();

      // Every conversation ended: answered by a lower rung (template) or handed to a person.
      expect(during.statuses.every((s) => s === "waiting_for_customer" || s === "escalated")).toBe(
        true,
      );
      expect(during.replies).toHaveLength(duringOutage.length);
      expect(during.replies.filter((m) => m.author === TEMPLATE_AUTHOR).length).toBeGreaterThan(0);
      expect(
        during.replies.some((m) =>
          ["billing", "technical", "general", "triage"].includes(m.author ?? ""),
        ),
      ).toBe(false);
      // None shows a raw error: no provider message, status code or breaker name reaches a customer.
      for (const reply of during.replies) {
        expect(reply.content).not.toMatch(
          /simulated|server_error|rate_limit|from the provider|Too Many Requests|breaker|gave up|attempts/i,
        );
        expect(reply.content).not.toMatch(/[A-Z]\w*Error\b|\n\s+at /);
      }

      // Upstream calls while a breaker was open: only its probes, at most one per cooldown. The first
      // poll interval after opening is excluded: calls admitted before the breaker opened may still
      // be on their way out then.
      for (const key of ["model:simulator/fast", "agent:triage"]) {
        const intervals = await openIntervals(key, outageEnded);
        expect(intervals.length).toBeGreaterThan(0);
        for (const [from, to] of intervals) {
          const inside = model.calls.filter(
            (c) =>
              c.at >= from + POLL_MS &&
              c.at < to &&
              (key.startsWith("model:") ? c.tier === "fast" : c.agent === "triage"),
          );
          expect(inside.length).toBeLessThanOrEqual(Math.ceil((to - from) / COOLDOWN_MS));
        }
      }
      const callsDuringOutage = model.calls.filter(
        (c) => c.at >= outageStarted && c.at < outageEnded,
      ).length;
      // Without breakers each conversation would make at least 3 (retried) calls per rung.
      expect(callsDuringOutage).toBeLessThan(duringOutage.length);

      // Recovery: the next probe after the cooldown closes the breakers and specialists answer again.
      await sleep(COOLDOWN_MS);
      const recovered = await outcomes(await load(1_000));
      const last = recovered.replies.slice(-4);
      expect(last.some((m) => m.author === "technical" || m.author === "billing")).toBe(true);
      const [fast] = await testDb()
        .select()
        .from(schema.breakers)
        .where(eq(schema.breakers.key, "model:simulator/fast"));
      expect(fast?.status).toBe("closed");
    },
  );
});
