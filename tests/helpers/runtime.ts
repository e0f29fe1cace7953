import { eq } from "drizzle-orm";
import * as schema from "@/db/schema";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { SimulatorModel } from "@/lib/providers/simulator";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { RunWorker } from "@/lib/runs/worker";
import { ToolRegistry } from "@/lib/runtime";
import { testDb } from "./db";

/** The demo support team on an instant simulator. */
export function instantParts(): RuntimeParts {
  return { chains: [supportChain], tools: new ToolRegistry(supportTools), model: new SimulatorModel() };
}

export function testWorker(parts: RuntimeParts = instantParts(), leaseMs = 30_000) {
  return new RunWorker({ db: testDb(), parts, concurrency: 8, pollMs: 20, leaseMs });
}

/** Waits until the conversation leaves `running` (bounded; the test fails on timeout). */
export async function settledConversation(id: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await testDb().select().from(schema.conversations).where(eq(schema.conversations.id, id));
    if (row && row.status !== "running") return row;
    if (Date.now() > deadline) throw new Error(`conversation ${id} still ${row?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An event as the `run_events` view shows it. */
export interface EventRow {
  runId: string;
  seq: number;
  type: string;
  agent: string | null;
  agentVersion: number | null;
  at: Date;
  data: Record<string, unknown>;
}

/** Writes events as `run_steps` rows, one per event, the way migration 0014 moved older ones. */
export async function insertEvents(rows: readonly EventRow[]) {
  await testDb()
    .insert(schema.runSteps)
    .values(
      rows.map((r) => ({
        runId: r.runId,
        seq: r.seq,
        events: [{ ...r.data, type: r.type, seq: r.seq, agent: r.agent, agentVersion: r.agentVersion, at: r.at.getTime() }],
      })),
    );
}

export async function eventsOf(runId: string) {
  return testDb()
    .select()
    .from(schema.runEvents)
    .where(eq(schema.runEvents.runId, runId))
    .orderBy(schema.runEvents.seq);
}

export async function runsOf(conversationId: string) {
  return testDb()
    .select()
    .from(schema.runs)
    .where(eq(schema.runs.conversationId, conversationId))
    .orderBy(schema.runs.createdAt);
}
