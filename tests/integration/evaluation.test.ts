import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { EvalSampler } from "@/lib/evals/sampler";
import { Evaluator } from "@/lib/evals/evaluator";
import { startConversation } from "@/lib/runs/conversations";
import { setupTestDatabase, testDb } from "../helpers/db";
import { rolloutParts } from "../helpers/rollouts";
import { settledConversation, testWorker } from "../helpers/runtime";

setupTestDatabase();

const messages = [
  "Do you ship to Canada?",
  "I can't log in, how do I reset my password?",
  "Can I get an invoice for my last payment? Our accountant needs it.",
  "What are your support hours over the holidays?",
];

describe("continuous evaluation", () => {
  it("scores at least the configured share of finished conversations, with checks and the judge's rationale", async () => {
    const parts = rolloutParts();
    const worker = testWorker(parts);
    await worker.start();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      ids.push((await startConversation(testDb(), { message: `${messages[i % messages.length]} (${i})`, apiKeyId: null }, parts)).id);
    }
    for (const id of ids) await settledConversation(id);
    await worker.stop();

    const sampler = new EvalSampler(testDb(), { share: 0.05, rolloutShare: 1, settleMs: 0 });
    expect(await sampler.tick()).toBeGreaterThanOrEqual(3);
    expect(await sampler.tick()).toBe(0);
    // The judge's calls go through the process's invoker at batch priority (rate limiter, breakers).
    const judged: { priority: string; agent: string }[] = [];
    const evaluator = new Evaluator(testDb(), {
      ...parts,
      invokeModelFor: (priority) => (model, request) => {
        judged.push({ priority, agent: request.agent.name });
        return model.generate(request);
      },
    });
    const jobs = await testDb().select().from(schema.evalJobs);
    expect(await evaluator.drain(100)).toBe(jobs.length);
    expect(judged).toHaveLength(jobs.length);
    expect(new Set(judged.map((j) => `${j.priority}:${j.agent}`))).toEqual(new Set(["batch:judge"]));

    const scores = await testDb().select().from(schema.evalScores);
    const finished = await testDb()
      .select({ id: schema.conversations.id })
      .from(schema.conversations)
      .where(inArray(schema.conversations.status, ["waiting_for_customer", "resolved"]));
    const scored = new Set(scores.map((s) => s.conversationId));
    expect(scored.size / finished.length).toBeGreaterThanOrEqual(0.05);
    for (const s of scores) {
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(s.judgeRationale).toMatch(/^Simulated judge/);
      expect(s.judgeModel).toMatch(/^simulator\//);
      expect((s.checks as { name: string }[]).map((c) => c.name)).toEqual(["schema", "citation", "forbidden_phrases", "pii_leak"]);
      expect(s.agentVersion).toBe(1);
    }
  });

  it("never takes work while a live run waits for a worker", async () => {
    const parts = rolloutParts();
    const worker = testWorker(parts);
    await worker.start();
    const done = await startConversation(testDb(), { message: "Do you ship to Canada?", apiKeyId: null }, parts);
    await settledConversation(done.id);
    await worker.stop();
    await new EvalSampler(testDb(), { share: 1, rolloutShare: 1, settleMs: 0 }).tick();
    const [job] = await testDb().select().from(schema.evalJobs).where(eq(schema.evalJobs.conversationId, done.id));
    expect(job?.status).toBe("queued");

    // Live conversations arrive while no worker is free: the evaluator steps aside.
    const live = [];
    for (let i = 0; i < 3; i++) live.push(await startConversation(testDb(), { message: `Do you ship to Peru? (${i})`, apiKeyId: null }, parts));
    const evaluator = new Evaluator(testDb(), parts);
    expect(await evaluator.drain(10)).toBe(0);
    const [still] = await testDb().select().from(schema.evalJobs).where(eq(schema.evalJobs.conversationId, done.id));
    expect(still).toMatchObject({ status: "queued", attempts: 0 });

    await worker.start();
    for (const c of live) await settledConversation(c.id);
    await worker.stop();
    // (The share-1 sampler also queued the first test's unsampled runs.)
    expect(await evaluator.drain(200)).toBeGreaterThanOrEqual(1);
    const [after] = await testDb().select().from(schema.evalJobs).where(eq(schema.evalJobs.conversationId, done.id));
    expect(after?.status).toBe("done");
  });
});
