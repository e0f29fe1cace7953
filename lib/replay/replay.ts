import { asc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { latestMessageOf } from "@/lib/agents/transcript";
import { scoreRun } from "@/lib/evals/evaluator";
import { newId } from "@/lib/ids";
import { governedLoopDeps, type RuntimeParts } from "@/lib/runs/runtime";
import { replyText } from "@/lib/runs/settlement";
import { type RunEvent, RunLoop, type RunState, runStateSchema } from "@/lib/runtime";
import { toolOutcomeSchema } from "@/lib/runtime/state";
import { MemoryRunStore, MemoryToolLedger } from "@/lib/runtime/testing";
import { spansForCommit } from "@/lib/tracing/spans";
import { RecordedTools } from "./recorded-tools";

/** One side of a turn's comparison. */
export interface TurnOutcome {
  status: string;
  reply: string | null;
  answeredBy: string | null;
  handoffs: string[];
  toolCalls: string[];
  costUsd: number;
  score: number | null;
}

export interface ReplayTurn {
  runId: string;
  message: string;
  original: TurnOutcome;
  replay: TurnOutcome & { unrecordedCalls: number };
}

export interface ReplayComparison {
  agent: string;
  candidateVersion: number;
  originalVersion: number | null;
  turns: ReplayTurn[];
}

/**
 * Re-runs every turn of a recorded conversation with the candidate version pinned and every tool
 * answered from that turn's recording. The replay runs in memory (it is batch work that can simply
 * run again, and must not write messages, statuses or traces into the real conversation); only
 * its comparison is stored.
 */
export async function replayConversation(
  db: Database,
  parts: RuntimeParts,
  target: { conversationId: string; agent: string; candidateVersion: number },
): Promise<ReplayComparison> {
  const originals = await db
    .select({ id: schema.runs.id, checkpoint: schema.runs.checkpoint, costUsd: schema.runs.costUsd })
    .from(schema.runs)
    .where(eq(schema.runs.conversationId, target.conversationId))
    .orderBy(asc(schema.runs.createdAt));
  const live = originals;
  const ledger = live.length
    ? await db
        .select({ runId: schema.toolLedger.runId, tool: schema.toolLedger.tool, input: schema.toolLedger.input, result: schema.toolLedger.result, startedAt: schema.toolLedger.startedAt })
        .from(schema.toolLedger)
        .where(inArray(schema.toolLedger.runId, live.map((r) => r.id)))
        .orderBy(asc(schema.toolLedger.startedAt))
    : [];
  const handoffEvents = live.length
    ? await db
        .select({ runId: schema.runEvents.runId, data: schema.runEvents.data })
        .from(schema.runEvents)
        .where(inArray(schema.runEvents.runId, live.map((r) => r.id)))
        .orderBy(asc(schema.runEvents.seq))
    : [];
  const scores = live.length
    ? await db
        .select({ runId: schema.evalScores.runId, score: schema.evalScores.score })
        .from(schema.evalScores)
        .where(inArray(schema.evalScores.runId, live.map((r) => r.id)))
    : [];

  const turns: ReplayTurn[] = [];
  let originalVersion: number | null = null;
  for (const run of live) {
    const state = runStateSchema.parse(run.checkpoint);
    originalVersion ??= state.versions[target.agent] ?? null;
    const events = handoffEvents.filter((e) => e.runId === run.id).map((e) => e.data as RunEvent);
    const recording = ledger
      .filter((l) => l.runId === run.id)
      .flatMap((l) => {
        const result = toolOutcomeSchema.safeParse(l.result);
        return result.success ? [{ tool: l.tool, input: l.input, result: result.data }] : [];
      });
    const stored = scores.find((s) => s.runId === run.id)?.score;
    const original = {
      ...outcomeOf(state, events, run.costUsd),
      score: stored ?? (await scoreRun(parts, state))?.score ?? null,
    };
    turns.push({ runId: run.id, message: latestMessageOf(state.input), original, replay: await rerun(parts, state, target, recording) });
  }
  return { agent: target.agent, candidateVersion: target.candidateVersion, originalVersion, turns };
}

async function rerun(
  parts: RuntimeParts,
  original: RunState,
  target: { agent: string; candidateVersion: number },
  recording: ConstructorParameters<typeof RecordedTools>[2],
): Promise<ReplayTurn["replay"]> {
  const versions = { ...original.versions, [target.agent]: target.candidateVersion };
  await parts.versions?.ensure(versions);
  const tools = new RecordedTools(parts.tools, parts.chains, recording);
  const store = new MemoryRunStore();
  const loop = new RunLoop({
    // Batch priority behind live calls, through the breakers, priced, under the daily budgets and
    // redacted like every other loop. No observer (its traces are not the conversation's) and no
    // response cache (the original's cached answers would stand in for the candidate's).
    ...governedLoopDeps(parts, "batch"),
    tools: tools.registry,
    store,
    ledger: new MemoryToolLedger(),
    ids: { newId },
  });
  const state = await loop.start(original.chain, original.input, { versions });
  const events = store.events(state.runId);
  const cost = spansForCommit(state.runId, events).delta.costUsd;
  const score = (await scoreRun(parts, state))?.score ?? null;
  return { ...outcomeOf(state, events, cost), score, unrecordedCalls: tools.served.filter((s) => !s.recorded).length };
}

function outcomeOf(state: RunState, events: readonly RunEvent[], costUsd: number): Omit<TurnOutcome, "score"> {
  const answered = state.status === "completed";
  return {
    status: state.status,
    reply: answered ? replyText(state.output) : null,
    answeredBy: answered ? (state.lastOutput?.agent ?? null) : null,
    handoffs: events.flatMap((e) => (e.type === "handoff" ? [`${e.from}→${e.to}`] : [])),
    toolCalls: events.flatMap((e) => (e.type === "tool_call" ? [e.tool] : [])),
    costUsd: Math.round(costUsd * 1e6) / 1e6,
  };
}
