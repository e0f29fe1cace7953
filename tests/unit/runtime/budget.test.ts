import { describe, expect, it } from "vitest";
import {
  budgetStage,
  type Chain,
  cheaperTier,
  defineAgent,
  pipeline,
  type Pricing,
  type RunState,
  RunLoop,
  type SpendGate,
  type SpendRequest,
  supervisor,
} from "@/lib/runtime";
import {
  FakeClock,
  handoffTo,
  MemoryRunStore,
  MemoryToolLedger,
  ScriptedModel,
  type ScriptedResponse,
  sequentialIds,
} from "@/lib/runtime/testing";
import { admitCall, chargeCall } from "@/lib/runtime/budget/conversation";
import { billing, eventsOfType, makeTools, router, technical, triage, typesOf } from "./fixtures";

// $1 per call on the standard tier, $0.50 on fast, $2 on strong: 1,000 input tokens per call.
const perMTok = { fast: 500, standard: 1_000, strong: 2_000 } as const;
const pricing: Pricing = {
  priceOf: (model) => {
    const tier = model.replace("scripted-", "") as keyof typeof perMTok;
    return tier in perMTok ? { inputPerMTok: perMTok[tier], outputPerMTok: 0, cachedInputPerMTok: 0 } : null;
  },
  modelFor: (tier) => `scripted-${tier}`,
};
const call = (text: string): ScriptedResponse => ({ text, usage: { inputTokens: 1_000, outputTokens: 0 } });

const stage = (name: string, modelTier: "fast" | "standard" | "strong" = "standard") =>
  defineAgent({ name, version: 1, instructions: `Stage ${name}.`, modelTier, limits: { maxOutputTokens: 10 } });
const stages = ["s1", "s2", "s3", "s4", "s5"].map((name) => stage(name));
const chain = pipeline({ name: "five", stages });
const script = Object.fromEntries(stages.map((s) => [s.name, [call(`${s.name} done`)]]));

function harness(chains: Chain[], s: Record<string, ScriptedResponse[]>, extra: { spendGate?: SpendGate } = {}) {
  const clock = new FakeClock();
  const store = new MemoryRunStore();
  const ledger = new MemoryToolLedger();
  const tools = makeTools({ lookups: [], refunds: [] });
  const ids = sequentialIds();
  const newLoop = (responses: Record<string, ScriptedResponse[]>) => {
    const model = new ScriptedModel(responses, { clock });
    return { model, loop: new RunLoop({ chains, model, store, ledger, tools, ids, clock, pricing, ...extra }) };
  };
  return { store, newLoop, ...newLoop(s) };
}

describe("budget decisions", () => {
  it.each([
    [0, 10, "ok"],
    [7.99, 10, "ok"],
    [8, 10, "downgrade"],
    [9.99, 10, "downgrade"],
    [10, 10, "exhausted"],
    [12, 10, "exhausted"],
    [1e9, null, "ok"],
  ] as const)("spent %s of %s is %s", (spent, limit, stageName) => {
    expect(budgetStage(spent, limit)).toBe(stageName);
  });

  it("downgrades one tier; fast stays fast", () => {
    expect([cheaperTier("strong"), cheaperTier("standard"), cheaperTier("fast")]).toEqual(["standard", "fast", "fast"]);
  });
});

describe("conversation budget", () => {
  it("records every call's cost and tracks the spend in the checkpoint", async () => {
    const h = harness([chain], script);
    const state = await h.loop.start("five", "go", { budget: { limitUsd: null } });
    expect(state.status).toBe("completed");
    expect(state.budget).toEqual({ limitUsd: null, spentUsd: 5, downgraded: false });
    const calls = eventsOfType(h.store.events(state.runId), "llm_call");
    expect(calls.map((c) => c.costUsd)).toEqual([1, 1, 1, 1, 1]);
  });

  it("switches to a cheaper tier at 80% and answers with its best output at 100%", async () => {
    const h = harness([chain], script);
    const state = await h.loop.start("five", "go", { budget: { limitUsd: 3.5 } });

    // s1–s3 on standard ($3 = 86%), then s4 on fast ($0.50) reaches the limit; s5 never runs.
    expect(h.model.calls.map((c) => [c.agent, c.tier])).toEqual([
      ["s1", "standard"],
      ["s2", "standard"],
      ["s3", "standard"],
      ["s4", "fast"],
    ]);
    expect(state).toMatchObject({ status: "completed", output: "s4 done", budget: { spentUsd: 3.5, downgraded: true } });
    const events = h.store.events(state.runId);
    expect(typesOf(events).filter((t) => t.startsWith("budget") || t === "completed")).toEqual([
      "budget_downgraded",
      "budget_exhausted",
      "completed",
    ]);
    expect(eventsOfType(events, "budget_downgraded")[0]).toMatchObject({ spentUsd: 3, limitUsd: 3.5 });
    expect(eventsOfType(events, "llm_call")[3]).toMatchObject({ tier: "fast", downgradedFrom: "standard", costUsd: 0.5 });
    expect(eventsOfType(events, "budget_exhausted")[0]).toMatchObject({ scope: "conversation", outcome: "best_answer" });
    expect(eventsOfType(events, "completed")[0]).toMatchObject({ partial: true, bound: "cost_budget" });
  });

  it("escalates with budget_exhausted when there is no answer yet", async () => {
    const desk = supervisor({ name: "desk", router, specialists: [billing, technical] });
    const h = harness([desk], {
      router: [{ toolCalls: [handoffTo("technical", "x")], usage: { inputTokens: 1_000, outputTokens: 0 } }],
    });
    const state = await h.loop.start("desk", "help", { budget: { limitUsd: 0.4 } });
    expect(state.status).toBe("escalated");
    expect(state.escalation).toMatchObject({ reason: "budget_exhausted" });
    expect(state.escalation?.detail).toMatch(/conversation budget of \$0\.4000/);
    expect(h.model.callsFor("technical")).toHaveLength(0);
    const [exhausted] = eventsOfType(h.store.events(state.runId), "budget_exhausted");
    expect(exhausted).toMatchObject({ outcome: "escalated", spentUsd: 0.5, limitUsd: 0.4 });
  });

  it("counts what earlier turns of the conversation spent and makes no call once it is used up", async () => {
    const h = harness([chain], script);
    const state = await h.loop.start("five", "go", { budget: { limitUsd: 2, spentUsd: 2.5 } });
    expect(state.status).toBe("escalated");
    expect(h.model.calls).toHaveLength(0);
  });

  it("never exceeds the budget by more than one call, for any limit", async () => {
    for (const limitUsd of [0.1, 0.5, 1, 1.2, 2.2, 2.5, 3, 3.3, 4.9]) {
      const h = harness([chain], script);
      const state = await h.loop.start("five", "go", { budget: { limitUsd } });
      const costs = eventsOfType(h.store.events(state.runId), "llm_call").map((c) => c.costUsd ?? 0);
      const spent = costs.reduce((a, b) => a + b, 0);
      expect(state.budget?.spentUsd).toBeCloseTo(spent, 12);
      // The most expensive single call here is $1.
      expect(spent - limitUsd, `limit ${limitUsd}`).toBeLessThanOrEqual(1);
      // Until the limit is reached every stage runs: the budget stops the run, nothing else.
      if (spent < limitUsd) expect(state.output).toBe("s5 done");
    }
  });

  it("a run resumed after a crash keeps its spend and cannot spend the allowance twice", async () => {
    const h = harness([chain], { ...script, s3: [{ crash: "worker killed" }] });
    const created = await h.loop.create("five", "go", { budget: { limitUsd: 2.5 } });
    await expect(h.loop.run(created.runId)).rejects.toThrow("worker killed");
    const { loop, model } = h.newLoop({ s3: [call("s3 done")], s4: [call("s4 done")], s5: [call("s5 done")] });
    const resumed = await loop.run(created.runId);
    // s1 and s2 ($2 = 80%) were committed before the crash; the resumed run knows it and downgrades.
    expect(model.calls.map((c) => [c.agent, c.tier])).toEqual([["s3", "fast"]]);
    expect(resumed).toMatchObject({ status: "completed", output: "s3 done", budget: { spentUsd: 2.5 } });
  });
});

describe("calls in flight within one step", () => {
  const draft = (limitUsd: number | null, spentUsd = 0) =>
    ({ budget: { limitUsd, spentUsd, downgraded: false } }) as unknown as RunState;

  it("admits a call while spend plus the bounds in flight stay below the limit", () => {
    const state = draft(1);
    expect(admitCall(state, 0.6)).toBeNull();
    expect(admitCall(state, 0.4)).toBeNull();
    expect(admitCall(state, 0.1)).toMatchObject({ scope: "conversation", limitUsd: 1 });
    // The first call cost less than its bound: its reservation is replaced by the real cost.
    chargeCall(state, 0.6, 0.2);
    expect(state.budget?.spentUsd).toBeCloseTo(0.2, 12);
    expect(admitCall(state, 0.1)).toBeNull();
    expect(admitCall(state, 0.1)).toBeNull();
    expect(admitCall(state, 0.1)).toBeNull();
    expect(admitCall(state, 0.1)).toBeNull();
    expect(admitCall(state, 0.1)).not.toBeNull();
  });

  it("never refuses without a limit, but still counts the spend", () => {
    const state = draft(null);
    for (let i = 0; i < 5; i++) expect(admitCall(state, 100)).toBeNull();
    chargeCall(state, 100, 3);
    expect(state.budget?.spentUsd).toBe(3);
  });
});

describe("daily budgets through the SpendGate port", () => {
  class FakeGate implements SpendGate {
    readonly requests: SpendRequest[] = [];
    readonly settled: [string, number][] = [];
    constructor(private readonly refuse: (r: SpendRequest) => boolean) {}
    reserve(request: SpendRequest) {
      this.requests.push(request);
      if (this.refuse(request)) {
        return Promise.resolve({ ok: false as const, scope: `daily:agent:${request.agent}`, spentUsd: 9, limitUsd: 8 });
      }
      return Promise.resolve({ ok: true as const, ticket: `t${this.requests.length}` });
    }
    settle(ticket: string, actualUsd: number) {
      this.settled.push([ticket, actualUsd]);
      return Promise.resolve();
    }
  }

  it("reserves each call's bound before it and settles its real cost after it", async () => {
    const gate = new FakeGate(() => false);
    const h = harness([chain], script, { spendGate: gate });
    await h.loop.start("five", "go");
    expect(gate.requests.map((r) => r.agent)).toEqual(["s1", "s2", "s3", "s4", "s5"]);
    expect(gate.requests.every((r) => r.maxUsd > 0 && r.critical === false && r.chain === "five")).toBe(true);
    expect(gate.settled).toEqual([
      ["t1", 1],
      ["t2", 1],
      ["t3", 1],
      ["t4", 1],
      ["t5", 1],
    ]);
  });

  it("a refused call pauses the agent: the run answers with what it has and says which budget", async () => {
    const gate = new FakeGate((r) => r.agent === "s3");
    const h = harness([chain], script, { spendGate: gate });
    const state = await h.loop.start("five", "go");
    expect(h.model.calls.map((c) => c.agent)).toEqual(["s1", "s2"]);
    expect(state).toMatchObject({ status: "completed", output: "s2 done" });
    const [exhausted] = eventsOfType(h.store.events(state.runId), "budget_exhausted");
    expect(exhausted).toMatchObject({ scope: "daily:agent:s3", outcome: "best_answer" });
  });

  it("a refused call after an output that is no reply escalates rather than answer with it", async () => {
    const gate = new FakeGate((r) => r.agent === "s2");
    const h = harness([pipeline({ name: "verdict", stages: [triage, stage("s2")] })], {
      triage: [{ output: { category: "billing", summary: "charged twice" } }],
    }, { spendGate: gate });
    const state = await h.loop.start("verdict", "go");
    expect(state.status).toBe("escalated");
    expect(state.escalation?.reason).toBe("budget_exhausted");
    const [exhausted] = eventsOfType(h.store.events(state.runId), "budget_exhausted");
    expect(exhausted).toMatchObject({ scope: "daily:agent:s2", outcome: "escalated" });
  });

  it("passes the agent's critical flag", async () => {
    const critical = defineAgent({ name: "s1", version: 1, instructions: "x", critical: true });
    const gate = new FakeGate(() => false);
    const h = harness([pipeline({ name: "one", stages: [critical] })], { s1: [call("ok")] }, { spendGate: gate });
    await h.loop.start("one", "go");
    expect(gate.requests[0]?.critical).toBe(true);
  });
});
