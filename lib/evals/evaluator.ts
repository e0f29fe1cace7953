import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { articles } from "@/lib/agents/knowledge-base";
import { latestMessageOf } from "@/lib/agents/transcript";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { type Chain, runStateSchema, type RunState } from "@/lib/runtime";
import { combineScore, runChecks, type CheckResult } from "./checks";
import { judgeReply } from "./judge";

/** Agents whose replies must cite a knowledge-base article (the reviewer enforces it too). */
const citingAgents = new Set(["technical"]);
const knownCitations = new Set(articles.map((a) => a.id));
const MAX_ATTEMPTS = 3;

export interface ScoredRun {
  agent: string;
  agentVersion: number;
  versions: Record<string, number>;
  score: number;
  checks: CheckResult[];
  judgeScore: number | null;
  judgeRationale: string | null;
  judgeModel: string | null;
}

/**
 * Scores a finished run's answer: deterministic checks against the answering agent's contract,
 * then the LLM-as-judge through the model port. Null when the run has no answer to score.
 */
export async function scoreRun(parts: RuntimeParts, state: RunState): Promise<ScoredRun | null> {
  const agent = state.lastOutput?.agent;
  if (state.status !== "completed" || !agent) return null;
  await parts.versions?.ensure(state.versions);
  const version = state.versions[agent];
  const definition = chainOf(parts.chains, state.chain)?.agents.find((a) => a.name === agent && a.version === version);
  const request = latestMessageOf(state.input);
  const checks = runChecks({
    request,
    output: state.output,
    outputSchema: definition?.outputSchema,
    citationRequired: citingAgents.has(agent),
    knownCitations,
  });
  const invoke = parts.invokeModelFor?.("batch") ?? parts.invokeModel;
  const verdict = await judgeReply(parts.model, { request, agent, reply: state.output }, undefined, invoke);
  return {
    agent,
    agentVersion: version ?? 0,
    versions: state.versions,
    score: combineScore(checks, verdict?.score ?? null),
    checks,
    judgeScore: verdict?.score ?? null,
    judgeRationale: verdict?.rationale ?? null,
    judgeModel: verdict?.model ?? null,
  };
}

const chainOf = (chains: readonly Chain[], name: string) => chains.find((c) => c.name === name);

/**
 * Drains evaluation jobs, one at a time and only while no live run is waiting for a worker, so
 * scoring never takes a worker's place, a connection or a model call away from a customer.
 * Jobs are claimed with SKIP LOCKED and a visibility timeout, so several processes may run this.
 */
export class Evaluator {
  constructor(
    private readonly db: Database,
    private readonly parts: RuntimeParts,
  ) {}

  /** Scores up to `limit` jobs; stops early as soon as live work is waiting. Returns how many. */
  async drain(limit = 20): Promise<number> {
    let done = 0;
    while (done < limit) {
      const job = await this.claim();
      if (!job) break;
      await this.process(job);
      done++;
    }
    return done;
  }

  private async claim(): Promise<{ run_id: string; conversation_id: string; attempts: number } | undefined> {
    const [job] = await queryRows<{ run_id: string; conversation_id: string; attempts: number }>(
      this.db,
      sql`update eval_jobs set attempts = attempts + 1, available_at = now() + interval '2 minutes'
        where run_id = (
          select run_id from eval_jobs
          where status = 'queued' and available_at <= now()
            and not exists (select 1 from runs where status = 'running' and priority = 0
              and available_at <= now() and (lease_expires_at is null or lease_expires_at < now()))
          order by created_at
          limit 1
          for update skip locked)
        returning run_id, conversation_id, attempts`,
    );
    return job;
  }

  private async process(job: { run_id: string; conversation_id: string; attempts: number }): Promise<void> {
    try {
      const [run] = await this.db
        .select({ checkpoint: schema.runs.checkpoint })
        .from(schema.runs)
        .where(eq(schema.runs.id, job.run_id));
      const scored = run ? await scoreRun(this.parts, runStateSchema.parse(run.checkpoint)) : null;
      await this.db.transaction(async (tx) => {
        if (scored) {
          await tx
            .insert(schema.evalScores)
            .values({ id: newId("evs"), runId: job.run_id, conversationId: job.conversation_id, ...scored })
            .onConflictDoNothing();
        }
        await tx.update(schema.evalJobs).set({ status: "done" }).where(eq(schema.evalJobs.runId, job.run_id));
      });
    } catch (error) {
      log("warn", "evaluator: scoring failed", { runId: job.run_id, error: String(error) });
      const status = job.attempts >= MAX_ATTEMPTS ? "failed" : "queued";
      await this.db.update(schema.evalJobs).set({ status }).where(eq(schema.evalJobs.runId, job.run_id));
    }
  }
}
