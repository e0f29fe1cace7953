import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { startConversation } from "@/lib/runs/conversations";
import { PgRunStore } from "@/lib/runs/pg-run-store";
import { createRunLoop } from "@/lib/runs/runtime";
import { RunWorker } from "@/lib/runs/worker";
import { ConcurrencyConflict, type ModelRequest } from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { eventsOf, instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";

// No background worker in this file: each test decides who holds which run.
setupTestDatabase();

describe("concurrent writers", () => {
  it("lets exactly one of two racing steps commit, and leaves the run consistent", async () => {
    const idle = instantParts();
    // Created without a worker noticing: the run is leased to a worker that does not exist.
    const { id } = await startConversation(testDb(), { message: "refund question about my bill", apiKeyId: null }, idle);
    const [run] = await runsOf(id);
    await testDb().update(schema.runs).set({ leaseOwner: "nobody", leaseExpiresAt: sql`now() + interval '1 hour'` }).where(eq(schema.runs.id, run!.id));
    // Both writers must hold the same checkpoint before either commits: a barrier in the model
    // releases their model calls together, so the race is forced rather than left to timing.
    const barrier = raceBarrier(2);
    const racing = { ...idle, model: { generate: async (r: ModelRequest) => (await barrier(), idle.model.generate(r)) } };
    const a = createRunLoop(testDb(), racing);
    const b = createRunLoop(testDb(), racing);
    const results = await Promise.allSettled([a.step(run!.id), b.step(run!.id)]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r) => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyConflict);
    const events = await eventsOf(run!.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const stored = await new PgRunStore(testDb()).loadCheckpoint(run!.id);
    expect(stored?.seq).toBe(events.length);
  });

  it("refuses a commit from a worker whose lease another worker took", async () => {
    const idle = instantParts();
    const { id } = await startConversation(testDb(), { message: "hello", apiKeyId: null }, idle);
    const [run] = await runsOf(id);
    await testDb().update(schema.runs).set({ leaseOwner: "worker-b", leaseExpiresAt: sql`now() + interval '1 hour'` }).where(eq(schema.runs.id, run!.id));
    const stale = createRunLoop(testDb(), idle, { owner: "worker-a" });
    await expect(stale.step(run!.id)).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect(await eventsOf(run!.id)).toHaveLength(1);
  });

  it("resumes a run whose worker died, once its lease expires", async () => {
    const idle = instantParts();
    const { id } = await startConversation(testDb(), { message: "I cannot login, password reset?", apiKeyId: null }, idle);
    const [run] = await runsOf(id);
    // A dead worker: it took the lease and committed one step, then vanished.
    await testDb().update(schema.runs).set({ leaseOwner: "dead-worker", leaseExpiresAt: sql`now() + interval '300 milliseconds'` }).where(eq(schema.runs.id, run!.id));
    await createRunLoop(testDb(), idle, { owner: "dead-worker", leaseMs: 300 }).step(run!.id);
    const worker = testWorker(idle);
    await worker.start();
    const settled = await settledConversation(id).finally(() => worker.stop());
    expect(settled.status).toBe("waiting_for_customer");
    const [after] = await runsOf(id);
    expect(after).toMatchObject({ status: "completed", claims: 1 });
    const events = await eventsOf(run!.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });
});

function raceBarrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) release();
    return all;
  };
}

describe("a worker when the database fails under it", () => {
  it("survives failing to hand a run back, and the run completes once its lease expires", async () => {
    const parts = instantParts();
    let databaseDown = false;
    let crashes = 0;
    // The first model call crashes the step, and the database is unreachable while the worker
    // tries to hand the run back; afterwards everything works again.
    const flaky = {
      ...parts,
      model: {
        generate: (r: ModelRequest) => {
          if (crashes === 0) {
            crashes += 1;
            databaseDown = true;
            setTimeout(() => (databaseDown = false), 200);
            return Promise.reject(new Error("worker bug"));
          }
          return parts.model.generate(r);
        },
      },
    };
    const real = testDb();
    const db = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === "execute" && databaseDown) return () => Promise.reject(new Error("database down"));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const worker = new RunWorker({ db, parts: flaky, concurrency: 2, pollMs: 20, leaseMs: 300 });
    try {
      const { id } = await startConversation(real, { message: "my sync failed with an error", apiKeyId: null }, parts);
      await worker.start();
      expect((await settledConversation(id)).status).toBe("waiting_for_customer");
      expect(crashes).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await worker.stop();
    }
  });
});
