import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, type RunEvent, RunLoop, type RunState, supervisor, ToolRegistry } from "@/lib/runtime";
import { replayLog, replayStep, unreplayable } from "@/lib/runtime/log-replay";
import { ThreadLog } from "@/lib/runtime/log-replay/thread-log";
import { BreakerOpenError } from "@/lib/runtime/resilience/errors";
import { resilientInvoker } from "@/lib/runtime/resilience/invoker";
import {
  FakeClock,
  handoffTo,
  MemoryBreakerStore,
  MemoryRunStore,
  MemoryToolLedger,
  replayCheck,
  ScriptedModel,
  type ScriptedResponse,
  sequentialIds,
} from "@/lib/runtime/testing";
import { defaultBreakerConfig } from "@/lib/runtime/resilience/breaker";
import { billing, type Effects, makeTools, router, technical } from "./fixtures";

const chain = supervisor({ name: "desk", router, specialists: [billing, technical] });

/** One commit as the store saw it: the checkpoint before (none for a new run), events, after. */
interface Commit {
  before: RunState | undefined;
  events: readonly RunEvent[];
  after: RunState;
}

/**
 * A loop whose store checks every commit with {@link replayCheck} and keeps the commits, over a
 * retrying invoker (so retries land in the log) and the fixtures' tools.
 */
function rig(technicalScript: ScriptedResponse[], options: { checkpointEvery?: number } = {}) {
  const effects: Effects = { lookups: [], refunds: [] };
  const tools = makeTools(effects);
  const clock = new FakeClock();
  const commits: Commit[] = [];
  const check = replayCheck({ chains: [chain], tools });
  /** After each commit: how many steps a process loading the run would replay. */
  const logSteps: number[] = [];
  const store: MemoryRunStore = new MemoryRunStore(async (before, events, after) => {
    commits.push({ before, events, after });
    await check(before, events, after);
    logSteps.push(stepsIn((await store.loadCheckpoint(after.runId))?.log));
  });
  const ledger = new MemoryToolLedger();
  const ids = sequentialIds();
  const invokeModel = resilientInvoker({
    clock,
    breakers: new MemoryBreakerStore(() => ({ ...defaultBreakerConfig, failureThreshold: 100 })),
    sleep: () => Promise.resolve(),
    random: () => 0.5,
  });
  /** A loop (another "process") over the same store, ledger and clock. */
  const loopWith = (script: Record<string, ScriptedResponse[]>, registry: ToolRegistry = tools) =>
    new RunLoop({ chains: [chain], model: new ScriptedModel(script, { clock }), store, ledger, tools: registry, ids, clock, invokeModel, ...options });
  const loop = loopWith({ router: [{ toolCalls: [handoffTo("technical", "app crashes")] }], technical: technicalScript });
  return { loop, loopWith, commits, logSteps, effects, tools, store };
}

const lookup = (orderId: string): ScriptedResponse => ({ toolCalls: [{ name: "lookup_order", args: { orderId } }] });
const stepsIn = (events: readonly RunEvent[] = []) => events.filter((e) => e.type === "step_started").length;

const midRun = (c: Commit) => c.before !== undefined && c.after.status === "running" && unreplayable(c.events) === null;

/** A technical agent's turn: tool calls (with or without text), a retryable fault, a bad answer or the reply. */
const turn: fc.Arbitrary<ScriptedResponse[]> = fc.oneof(
  fc.record({ orderId: fc.string({ minLength: 1, maxLength: 6 }), text: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }) }).map(({ orderId, text }) => [
    { toolCalls: [{ name: "lookup_order", args: { orderId } }], ...(text === undefined ? {} : { text }) },
  ]),
  fc.constant<ScriptedResponse[]>([{ fault: "server_error" }, { toolCalls: [{ name: "lookup_order", args: { orderId: "o1" } }] }]),
  fc.constant<ScriptedResponse[]>([{ output: { wrong: true } }, { toolCalls: [{ name: "lookup_order", args: { orderId: "o2" } }] }]),
  fc.constant<ScriptedResponse[]>([{ toolCalls: [{ name: "refund", args: { orderId: "o3", amount: 5 } }] }]),
);

describe("log replay (docs/step-log.md, phase C)", () => {
  it("rebuilds every mid-run checkpoint from the one before and the step's events, whatever the turns were", async () => {
    let midRunSteps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(turn, { minLength: 1, maxLength: 5 }), async (turns) => {
        const r = rig([...turns.flat(), { output: { reply: "done" } }]);
        await r.loop.start("desk", "my app crashes");
        // replayCheck threw inside the commit if a replay differed; count what it checked.
        midRunSteps += r.commits.filter(midRun).length;
      }),
      { numRuns: 60 },
    );
    expect(midRunSteps).toBeGreaterThan(60);
  });

  it("replays a run's whole log from its first checkpoint without running a tool again", async () => {
    const r = rig([
      { toolCalls: [{ name: "lookup_order", args: { orderId: "o7" } }], text: "Let me look." },
      { fault: "rate_limit", retryAfterMs: 10 },
      { toolCalls: [{ name: "lookup_order", args: { orderId: "o8" } }] },
      { output: { reply: "Both orders are fine." } },
    ]);
    const final = await r.loop.start("desk", "two orders");
    expect(final.status).toBe("completed");
    const first = r.commits[0]!.after;
    const lastRunning = r.commits.filter((c) => c.after.status === "running").at(-1)!;
    const events = r.commits.slice(1).flatMap((c) => c.events).filter((e) => e.seq <= lastRunning.after.seq);
    expect(r.effects.lookups).toEqual(["o7", "o8"]);

    const replayed = await replayLog({ chain, tools: r.tools }, first, events);

    expect(replayed).toEqual({ ok: true, state: lastRunning.after });
    expect(r.effects.lookups).toEqual(["o7", "o8"]);
    expect(events.some((e) => e.type === "retry")).toBe(true);
  });

  it("refuses a step whose answer was cut to fit the log", async () => {
    const r = rig([{ toolCalls: [{ name: "lookup_order", args: { orderId: "o7" } }], text: "x".repeat(9_000) }, { output: { reply: "ok" } }]);
    await r.loop.start("desk", "long");
    const step = r.commits.find((c) => c.events.some((e) => e.type === "llm_call" && "text" in e && e.text !== undefined))!;

    const replayed = await replayStep({ chain, tools: r.tools }, step.before!, step.events);

    expect(replayed.ok).toBe(false);
    expect(!replayed.ok && replayed.reason).toContain("cut to fit the log");
  });

  it("reports a step that its code no longer reproduces instead of guessing", async () => {
    const r = rig([
      { toolCalls: [{ name: "lookup_order", args: { orderId: "o7" } }] },
      { toolCalls: [{ name: "lookup_order", args: { orderId: "o8" } }] },
      { output: { reply: "ok" } },
    ]);
    await r.loop.start("desk", "order");
    // The step that runs the tool call the step before planned.
    const target = r.commits.find((c) => midRun(c) && c.events.some((e) => e.type === "tool_call"))!;
    expect((await replayStep({ chain, tools: r.tools }, target.before!, target.events)).ok).toBe(true);

    // The tool has since been removed from the process: its call cannot be answered the same way.
    const without = await replayStep({ chain, tools: new ToolRegistry([]) }, target.before!, target.events);
    // The checkpoint is not the one the step started from.
    const wrongStart = await replayStep({ chain, tools: r.tools }, { ...target.before!, threads: [] }, target.events);

    expect(without).toMatchObject({ ok: false });
    expect(wrongStart).toMatchObject({ ok: false });
  });

  describe("the loop's stored checkpoints", () => {
    it("stores a run's checkpoint when it is created and when it settles, and leaves the steps between to the log", async () => {
      const r = rig([lookup("o1"), lookup("o2"), { output: { reply: "done" } }]);
      const state = await r.loop.start("desk", "orders");

      expect(state.status).toBe("completed");
      expect(r.store.commitCount(state.runId)).toBe(4);
      expect(r.store.checkpointCount(state.runId)).toBe(2);
      const loaded = await r.store.loadCheckpoint(state.runId);
      expect(loaded).toEqual({ state, seq: state.seq });
    });

    it("stores one at least every checkpointEvery steps, so a takeover replays fewer", async () => {
      const r = rig([lookup("o1"), lookup("o2"), lookup("o3"), lookup("o4"), lookup("o5"), { output: { reply: "done" } }], { checkpointEvery: 2 });
      const state = await r.loop.start("desk", "orders");

      expect(state.status).toBe("completed");
      expect(r.store.commitCount(state.runId)).toBe(7);
      // Stored: the creation (step 1), steps 3 and 5, and the settlement (step 7).
      expect(r.store.checkpointCount(state.runId)).toBe(4);
      expect(r.logSteps).toEqual([0, 1, 0, 1, 0, 1, 0]);
    });

    it("continues a run taken over mid-way from its replayed log as if it had never stopped", async () => {
      const script = [lookup("o1"), lookup("o2"), { output: { reply: "done" } }];
      const whole = rig(script);
      const expected = await whole.loop.start("desk", "orders");

      const r = rig([lookup("o1"), lookup("o2"), { crash: "process killed" }]);
      await expect(r.loop.start("desk", "orders")).rejects.toThrow("process killed");
      const loaded = await r.store.loadCheckpoint(expected.runId);
      expect(stepsIn(loaded?.log)).toBe(2);
      const survivor = r.loopWith({ technical: [{ output: { reply: "done" } }] });
      const state = await survivor.run(expected.runId);

      expect(state).toEqual(expected);
      // The same log, but for the o2 lookup the crashed step had made: the ledger answered it.
      const replayedFlag = (e: RunEvent) => (e.type === "tool_call" ? e.replayed : null);
      expect(r.store.events(state.runId).map(replayedFlag)).toEqual(
        whole.store.events(state.runId).map((e) => (e.type === "tool_call" && (e.input as { orderId: string }).orderId === "o2" ? true : replayedFlag(e))),
      );
      expect(r.store.events(state.runId).map((e) => ({ ...e, replayed: null }))).toEqual(whole.store.events(state.runId).map((e) => ({ ...e, replayed: null })));
      expect(r.effects.lookups).toEqual(["o1", "o2"]);
    });

    it("fails a run its log no longer rebuilds, for a person, with its log intact", async () => {
      const r = rig([lookup("o1"), lookup("o22"), { crash: "process killed" }]);
      await expect(r.loop.start("desk", "orders")).rejects.toThrow("process killed");
      const runId = r.commits[0]!.after.runId;
      const before = r.store.events(runId);
      // The process that takes over runs newer code: lookup_order now refuses the ids it took then.
      const stricter = defineTool({
        name: "lookup_order",
        description: "Look up an order",
        argsSchema: z.object({ orderId: z.string().max(2) }),
        sideEffect: "read",
        execute: () => Promise.resolve({}),
      });
      const survivor = r.loopWith({ technical: [] }, new ToolRegistry([stricter, r.tools.get("refund")!]));
      const state = await survivor.run(runId);

      expect(state.status).toBe("failed");
      const events = r.store.events(runId);
      expect(events.slice(0, before.length)).toEqual(before);
      const failed = events.at(-1);
      expect(failed?.type).toBe("failed");
      expect(failed?.type === "failed" && failed.error.message).toContain("cannot be rebuilt from its log");
      // Nothing ran again: o22 was looked up once, by the step that crashed.
      expect(r.effects.lookups).toEqual(["o1", "o22"]);
    });
  });

  it("gives back the retries a thread made before a breaker opened mid-retry, then the open breaker", async () => {
    const base = { runId: "run_1", at: 0, agent: "technical", agentVersion: 1, threadId: "t2" } as const;
    const step: RunEvent[] = [
      { ...base, seq: 1, type: "step_started", agent: null, agentVersion: null, step: 2, threads: ["t2"] },
      { ...base, seq: 2, type: "retry", reason: "provider_error", attempt: 2, delayMs: 400 },
      { ...base, seq: 3, type: "fallback", from: "technical", to: "human", rung: 0, reason: "breaker_open", detail: "server_error: circuit breaker agent:technical is open" },
    ];
    const retries: number[] = [];
    const invoke = new ThreadLog("t2", step, undefined).invoke;

    const call = invoke({ generate: () => Promise.reject(new Error("no model")) }, { agent: technical, tier: "standard", messages: [], tools: [] }, {
      onRetry: (notice) => retries.push(notice.attempt),
    });

    await expect(call).rejects.toBeInstanceOf(BreakerOpenError);
    await expect(call).rejects.toMatchObject({ breakerKey: "agent:technical" });
    expect(retries).toEqual([2]);
  });
});
