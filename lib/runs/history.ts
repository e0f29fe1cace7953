import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { formatTranscript } from "@/lib/agents/transcript";
import { newId, newTraceId } from "@/lib/ids";
import { log } from "@/lib/log";
import { type Clock, type Model, type ModelRequest, type ModelResponse, RunLoop } from "@/lib/runtime";
import { SimulatorModel } from "@/lib/providers/simulator";
import { backdateEscalations } from "./escalation-history";
import { PgRunStore } from "./pg-run-store";
import { PgToolLedger } from "./pg-tool-ledger";
import { DEFAULT_CHAIN, type RuntimeParts } from "./runtime";
import { defaultRuntimeParts } from "./default-parts";
import { customerFollowUps, customerOpeners, findDemoKeyId } from "./traffic";

/**
 * Demo history (DESIGN.md: "a few days of history so every chart has data"). Each conversation
 * runs through the real RunLoop on the instant simulator with a clock set to the conversation's
 * past time, so events, tool-ledger rows, runs and messages carry past timestamps. Only the
 * columns the store fills with now() (runs, messages, conversations) are moved back afterwards.
 *
 * Each conversation is one transaction: the worker never sees its run before it has settled (it
 * would otherwise claim it and continue it at today's time), and a crash leaves whole
 * conversations only.
 */

/** The settings row marking that the history exists; a second call (a restart) does nothing. */
export const HISTORY_MARKER_KEY = "demo_history";

export interface BackfillOptions {
  /** End of the window (epoch ms); defaults to now. */
  now?: number;
  hours?: number;
  /** How many conversations; defaults to 300. */
  conversations?: number;
  seed?: number;
  /** Chains and tools; the model is always the instant simulator wrapped for simulated latency. */
  parts?: Pick<RuntimeParts, "chains" | "tools">;
}

export interface BackfillResult {
  skipped: boolean;
  conversations: number;
  runs: number;
  ms: number;
}

export async function backfillDemoHistory(db: Database, options: BackfillOptions = {}): Promise<BackfillResult> {
  const started = Date.now();
  const claimed = await db
    .insert(schema.settings)
    .values({ key: HISTORY_MARKER_KEY, value: { status: "started", startedAt: new Date(started).toISOString() } })
    .onConflictDoNothing()
    .returning({ key: schema.settings.key });
  if (claimed.length === 0) return { skipped: true, conversations: 0, runs: 0, ms: Date.now() - started };

  const random = mulberry32(options.seed ?? 20_240_601);
  const end = options.now ?? Date.now();
  const hours = options.hours ?? 72;
  const times = arrivalTimes(random, end, hours, options.conversations ?? 300);
  const parts = options.parts ?? defaultRuntimeParts();
  const apiKeyId = await findDemoKeyId(db);
  let runs = 0;
  for (const at of times) {
    runs += await backfillConversation(db, { at, end, random, parts, apiKeyId });
  }
  const ms = Date.now() - started;
  await db
    .update(schema.settings)
    .set({ value: { status: "completed", conversations: times.length, runs, ms }, updatedAt: new Date() })
    .where(eq(schema.settings.key, HISTORY_MARKER_KEY));
  log("info", "demo history created", { conversations: times.length, runs, ms, hours });
  return { skipped: false, conversations: times.length, runs, ms };
}

interface ConversationPlan {
  at: number;
  end: number;
  random: () => number;
  parts: Pick<RuntimeParts, "chains" | "tools">;
  apiKeyId: string | null;
}

/** One conversation of one or two turns, in one transaction; returns how many runs it took. */
async function backfillConversation(db: Database, plan: ConversationPlan): Promise<number> {
  const { random } = plan;
  const clock = new HistoryClock(plan.at, random);
  const id = newId("cnv");
  const opener = pick(random, customerOpeners);
  const chain = plan.parts.chains.some((c) => c.name === DEFAULT_CHAIN) ? DEFAULT_CHAIN : plan.parts.chains[0]!.name;
  return db.transaction(async (tx) => {
    await tx.insert(schema.conversations).values({
      id,
      status: "running",
      chain,
      customerId: `sim-cust-${String(Math.floor(random() * 250) + 1).padStart(4, "0")}`,
      apiKeyId: plan.apiKeyId,
      metadata: { source: "demo-history" },
      createdAt: new Date(plan.at),
      updatedAt: new Date(plan.at),
    });
    let turns = 0;
    let status = await runTurn(tx, id, chain, opener, clock, plan);
    turns++;
    // About a third of answered customers write again a few minutes later.
    if (status === "waiting_for_customer" && random() < 0.35) {
      clock.advance(60_000 + random() * 600_000);
      if (clock.now() < plan.end) {
        status = await runTurn(tx, id, chain, pick(random, customerFollowUps), clock, plan);
        turns++;
      }
    }
    // Most answered conversations older than a day were closed since (an inactive customer's
    // conversation is resolved), so the resolved bucket and its metrics have data too.
    const resolved = status === "waiting_for_customer" && plan.end - clock.now() > 86_400_000 && random() < 0.6;
    const updatedAt = new Date(resolved ? clock.now() + 86_400_000 * (0.5 + random() * 0.4) : clock.now());
    await tx
      .update(schema.conversations)
      .set({ updatedAt, ...(resolved ? { status: "resolved" as const } : {}) })
      .where(eq(schema.conversations.id, id));
    return turns;
  });
}

/** Adds the customer's message and runs the turn to a stop at the clock's time. */
async function runTurn(
  tx: Database,
  conversationId: string,
  chain: string,
  message: string,
  clock: HistoryClock,
  plan: ConversationPlan,
): Promise<string> {
  await tx.insert(schema.messages).values({
    id: newId("msg"),
    conversationId,
    role: "customer",
    content: message,
    createdAt: new Date(clock.now()),
  });
  const rows = await tx
    .select({ role: schema.messages.role, author: schema.messages.author, content: schema.messages.content })
    .from(schema.messages)
    .where(eq(schema.messages.conversationId, conversationId))
    .orderBy(asc(schema.messages.createdAt), asc(schema.messages.id));
  const runStart = clock.now();
  const traceId = newTraceId();
  const loop = new RunLoop({
    chains: plan.parts.chains,
    tools: plan.parts.tools,
    model: new SimulatedLatencyModel(new SimulatorModel(), clock, plan.random),
    store: new PgRunStore(tx, { newRun: { conversationId, traceId } }),
    ledger: new PgToolLedger(tx),
    ids: { newId },
    clock,
  });
  const state = await loop.start(chain, formatTranscript(rows));
  const runEnd = clock.now();
  // The store stamps these with now(); the history belongs at the simulated times.
  await tx.execute(
    sql`update runs set created_at = to_timestamp(${runStart} / 1000.0), updated_at = to_timestamp(${runEnd} / 1000.0),
        available_at = to_timestamp(${runStart} / 1000.0) where id = ${state.runId}`,
  );
  await tx.execute(
    sql`update messages set created_at = to_timestamp(${runEnd} / 1000.0) where run_id = ${state.runId}`,
  );
  await backdateEscalations(tx, state.runId, runEnd, plan.end);
  const [row] = await tx
    .select({ status: schema.conversations.status })
    .from(schema.conversations)
    .where(eq(schema.conversations.id, conversationId));
  return row?.status ?? "failed";
}

/** A clock that starts in the past and moves a few milliseconds per reading, and on demand. */
class HistoryClock implements Clock {
  constructor(
    private t: number,
    private readonly random: () => number,
  ) {}

  now(): number {
    this.t += 1 + Math.floor(this.random() * 4);
    return this.t;
  }

  advance(ms: number): void {
    this.t += Math.round(ms);
  }
}

/**
 * The instant simulator with a simulated latency per tier: the clock advances by it and the
 * response reports it, so latency charts show a plausible spread without anyone waiting for it.
 */
class SimulatedLatencyModel implements Model {
  constructor(
    private readonly inner: Model,
    private readonly clock: HistoryClock,
    private readonly random: () => number,
  ) {}

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const response = await this.inner.generate(request);
    const base = request.tier === "fast" ? 180 : request.tier === "standard" ? 420 : 900;
    // A long tail: most calls near the base, a few several times slower.
    const latencyMs = Math.round(base * (0.6 + this.random() * 0.8) * (this.random() < 0.06 ? 3 + this.random() * 4 : 1));
    this.clock.advance(latencyMs);
    return { ...response, latencyMs };
  }
}

/**
 * Arrival times over the window with a daily rhythm (busy during the working day in UTC, quiet
 * at night), oldest first, none in the last few minutes.
 */
export function arrivalTimes(random: () => number, end: number, hours: number, count: number): number[] {
  const start = end - hours * 3_600_000;
  const latest = end - 5 * 60_000;
  const weight = (t: number) => {
    const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
    return 0.15 + Math.max(0, Math.sin(((hour - 6) / 14) * Math.PI));
  };
  const times: number[] = [];
  // Rejection sampling against the rhythm; bounded so a degenerate window cannot spin.
  for (let attempts = 0; times.length < count && attempts < count * 50; attempts++) {
    const t = start + random() * (latest - start);
    if (random() * 1.15 < weight(t)) times.push(Math.round(t));
  }
  return times.sort((a, b) => a - b);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length]!;
}

/** Small seeded PRNG: the demo history is the same on every fresh clone. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
