import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  defineAgent,
  defineTool,
  type Model,
  type ModelRequest,
  type ModelResponse,
  ProviderError,
  type ProviderErrorKind,
  type RateLimiter,
  type RetryNotice,
} from "@/lib/runtime";
import { defaultBreakerConfig } from "@/lib/runtime/resilience/breaker";
import { BreakerOpenError, RetriesExhaustedError } from "@/lib/runtime/resilience/errors";
import { resilientInvoker } from "@/lib/runtime/resilience/invoker";
import { guardTools } from "@/lib/runtime/resilience/tool-guard";
import {
  defaultRetryPolicy,
  retryDecision,
  type RetryPolicy,
} from "@/lib/runtime/resilience/retry";
import { FakeClock, MemoryBreakerStore } from "@/lib/runtime/testing";

const agent = defineAgent({
  name: "billing",
  version: 1,
  instructions: "Help.",
  modelTier: "standard",
});
const request: ModelRequest = {
  agent,
  tier: "standard",
  messages: [{ role: "user", content: "hi" }],
  tools: [],
};
const ok: ModelResponse = {
  text: "ok",
  usage: { inputTokens: 1, outputTokens: 1 },
  model: "m",
  latencyMs: 0,
};

/** A model whose every call is decided by `behave`; records attempts and can hold calls open. */
class FakeModel implements Model {
  readonly attempts: (number | undefined)[] = [];
  gate: Promise<void> | null = null;
  constructor(private readonly behave: (call: number) => ProviderErrorKind | "ok") {}
  async generate(req: ModelRequest): Promise<ModelResponse> {
    this.attempts.push(req.attempt);
    const outcome = this.behave(this.attempts.length);
    if (this.gate) await this.gate;
    if (outcome === "ok") return ok;
    throw new ProviderError(
      outcome,
      `fake ${outcome}`,
      outcome === "rate_limit" ? { retryAfterMs: 1_500 } : {},
    );
  }
}

const config = {
  ...defaultBreakerConfig,
  consecutiveFailures: 3,
  cooldownMs: 1_000,
  probeTimeoutMs: 5_000,
};

function setup(
  behave: (call: number) => ProviderErrorKind | "ok",
  retry: Partial<RetryPolicy> = { maxAttempts: 1 },
) {
  const clock = new FakeClock(0);
  const store = new MemoryBreakerStore(() => config);
  const model = new FakeModel(behave);
  const sleeps: number[] = [];
  const retries: RetryNotice[] = [];
  const invoke = resilientInvoker({
    clock,
    breakers: store,
    retry,
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  const call = () => invoke(model, request, { onRetry: (n) => retries.push(n) });
  return { clock, store, model, sleeps, retries, call };
}

describe("breakers around model calls", () => {
  it("an open breaker makes 0 upstream calls", async () => {
    const h = setup(() => "server_error");
    for (let i = 0; i < 3; i++) await expect(h.call()).rejects.toThrow(ProviderError);
    expect(h.store.state("model:standard").status).toBe("open");
    expect(h.model.attempts).toHaveLength(3);
    for (let i = 0; i < 10; i++) await expect(h.call()).rejects.toBeInstanceOf(BreakerOpenError);
    expect(h.model.attempts).toHaveLength(3);
  });

  it("lets exactly one probe through under 20 concurrent callers; the rest fail fast", async () => {
    const h = setup((n) => (n <= 3 ? "server_error" : "ok"));
    for (let i = 0; i < 3; i++) await expect(h.call()).rejects.toThrow();
    h.clock.advance(config.cooldownMs);
    let release!: () => void;
    h.model.gate = new Promise((resolve) => (release = resolve));
    const results = Promise.allSettled(Array.from({ length: 20 }, () => h.call()));
    // Let every caller reach its breaker check while the probe is still in flight.
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    const settled = await results;
    expect(h.model.attempts).toHaveLength(4);
    expect(settled.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = settled.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(19);
    expect(rejected.every((r) => r.reason instanceof BreakerOpenError)).toBe(true);
    expect(h.store.state("model:standard").status).toBe("closed");
    expect(h.store.state("agent:billing").status).toBe("closed");
  });

  it("a failed probe reopens both breakers; the next probe waits a full cooldown", async () => {
    const h = setup(() => "timeout");
    for (let i = 0; i < 3; i++) await expect(h.call()).rejects.toThrow();
    h.clock.advance(config.cooldownMs);
    await expect(h.call()).rejects.toThrow("fake timeout");
    expect(h.store.transitions.map((t) => `${t.key}:${t.reason}`)).toContain(
      "model:standard:probe_failed",
    );
    h.clock.advance(config.cooldownMs - 1);
    await expect(h.call()).rejects.toBeInstanceOf(BreakerOpenError);
    expect(h.model.attempts).toHaveLength(4);
  });

  it("bad requests and malformed output count as the provider answering, not as failures", async () => {
    const h = setup(() => "bad_request");
    for (let i = 0; i < 10; i++) await expect(h.call()).rejects.toThrow("fake bad_request");
    expect(h.store.state("model:standard").status).toBe("closed");
    expect(h.store.state("model:standard").consecutiveFailures).toBe(0);
  });

  it("gives back an agent breaker's probe when the model breaker refuses the call", async () => {
    const h = setup(() => "ok");
    // After the cooldown the agent breaker would admit a probe; the model breaker is forced open.
    for (let i = 0; i < 3; i++) await h.store.apply("agent:billing", { type: "failure" }, 0);
    await h.store.apply("model:standard", { type: "force_open" }, 0);
    h.clock.advance(config.cooldownMs);
    await expect(h.call()).rejects.toBeInstanceOf(BreakerOpenError);
    expect(h.store.state("agent:billing")).toMatchObject({ status: "half_open", probeUntil: null });
    expect(h.model.attempts).toHaveLength(0);
  });
});

describe("retries", () => {
  it("retries a 5xx up to 3 attempts in total with full-jitter backoff, then gives up", async () => {
    const h = setup(() => "server_error", { ...defaultRetryPolicy, baseDelayMs: 100 });
    const error = await h.call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(3);
    expect((error as RetriesExhaustedError).kind).toBe("server_error");
    expect(h.model.attempts).toEqual([1, 2, 3]);
    // random() = 0.5: half of 100·2^0 and of 100·2^1.
    expect(h.sleeps).toEqual([50, 100]);
    expect(h.retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [2, 50],
      [3, 100],
    ]);
  });

  it("succeeds on a retry without giving up", async () => {
    const h = setup((n) => (n === 1 ? "timeout" : "ok"), { maxAttempts: 3 });
    await expect(h.call()).resolves.toEqual(ok);
    expect(h.model.attempts).toEqual([1, 2]);
  });

  it("honours Retry-After", async () => {
    const h = setup((n) => (n === 1 ? "rate_limit" : "ok"), { maxAttempts: 3 });
    await h.call();
    expect(h.sleeps).toEqual([1_500]);
  });

  it.each(["bad_request", "malformed_output"] as const)("does not retry %s", async (kind) => {
    const h = setup(() => kind, { maxAttempts: 3 });
    const error = await h.call().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(RetriesExhaustedError);
    expect((error as ProviderError).kind).toBe(kind);
    expect(h.model.attempts).toEqual([1]);
  });

  it("stops retrying as soon as a breaker opens", async () => {
    const h = setup(() => "server_error", { maxAttempts: 10 });
    const error = await h.call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect(h.model.attempts).toHaveLength(3);
  });
});

describe("retryDecision", () => {
  const policy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 3_000, maxRetryAfterMs: 10_000 };
  const err = (kind: ProviderErrorKind, retryAfterMs?: number) =>
    new ProviderError(kind, kind, { retryAfterMs });
  it.each([
    {
      error: err("server_error"),
      attempt: 1,
      random: 0.99,
      expected: { retry: true, delayMs: 990 },
    },
    {
      error: err("server_error"),
      attempt: 2,
      random: 0.99,
      expected: { retry: true, delayMs: 1_980 },
    },
    { error: err("timeout"), attempt: 2, random: 0, expected: { retry: true, delayMs: 0 } },
    {
      error: err("server_error"),
      attempt: 3,
      random: 0.5,
      expected: { retry: false, exhausted: true },
    },
    {
      error: err("rate_limit", 2_000),
      attempt: 1,
      random: 0.1,
      expected: { retry: true, delayMs: 2_000 },
    },
    {
      error: err("rate_limit", 200),
      attempt: 2,
      random: 0.5,
      expected: { retry: true, delayMs: 1_000 },
    },
    {
      error: err("rate_limit", 60_000),
      attempt: 1,
      random: 0.5,
      expected: { retry: false, exhausted: true },
    },
    {
      error: err("bad_request"),
      attempt: 1,
      random: 0.5,
      expected: { retry: false, exhausted: false },
    },
    {
      error: new BreakerOpenError("model:x"),
      attempt: 1,
      random: 0.5,
      expected: { retry: false, exhausted: false },
    },
    {
      error: new Error("crash"),
      attempt: 1,
      random: 0.5,
      expected: { retry: false, exhausted: false },
    },
  ])("$error.message at attempt $attempt → $expected", ({ error, attempt, random, expected }) => {
    expect(retryDecision(policy, error, attempt, () => random)).toEqual(expected);
  });

  it("caps the backoff at maxDelayMs", () => {
    const big = { ...policy, maxAttempts: 20 };
    expect(retryDecision(big, err("server_error"), 12, () => 0.999)).toEqual({
      retry: true,
      delayMs: 2_997,
    });
  });
});

describe("tool breakers", () => {
  it("opens after consecutive tool failures and then fails fast without calling the tool", async () => {
    const clock = new FakeClock(0);
    const store = new MemoryBreakerStore(() => config);
    let calls = 0;
    let healthy = false;
    const tool = defineTool({
      name: "lookup",
      description: "Look something up",
      argsSchema: z.object({}),
      sideEffect: "read",
      execute: () => {
        calls += 1;
        return healthy ? Promise.resolve({ ok: 1 }) : Promise.reject(new Error("backend down"));
      },
    });
    const [guarded] = guardTools([tool], store, clock);
    const ctx = { idempotencyKey: "k", runId: "r", agent: "a", repeated: false };
    for (let i = 0; i < 3; i++)
      await expect(guarded!.execute({}, ctx)).rejects.toThrow("backend down");
    expect(store.state("tool:lookup").status).toBe("open");
    await expect(guarded!.execute({}, ctx)).rejects.toThrow("temporarily unavailable");
    expect(calls).toBe(3);
    healthy = true;
    clock.advance(config.cooldownMs);
    await expect(guarded!.execute({}, ctx)).resolves.toEqual({ ok: 1 });
    expect(store.state("tool:lookup").status).toBe("closed");
  });
});

describe("rate limiting in the invoker", () => {
  it("waits for a slot per attempt, after the breakers, with the run's priority, and settles real usage", async () => {
    const slots: { key: string; priority: string; estimated: number; settled?: number }[] = [];
    const limiter: RateLimiter = {
      acquire: (key, req) => {
        const slot: (typeof slots)[number] = {
          key,
          priority: req.priority,
          estimated: req.estimatedTokens,
        };
        slots.push(slot);
        return Promise.resolve({ settle: (n: number) => Promise.resolve(void (slot.settled = n)) });
      },
    };
    const clock = new FakeClock(0);
    const store = new MemoryBreakerStore(() => config);
    const model = new FakeModel((n) => (n === 1 ? "server_error" : "ok"));
    const invoke = resilientInvoker({
      clock,
      breakers: store,
      limiter,
      priority: "batch",
      sleep: () => Promise.resolve(),
      random: () => 0,
    });
    await invoke(model, request, { onRetry: () => undefined });
    expect(slots.map((s) => [s.key, s.priority])).toEqual([
      ["model:standard", "batch"],
      ["model:standard", "batch"],
    ]);
    expect(slots[0]!.estimated).toBeGreaterThan(1_000);
    expect(slots[0]!.settled).toBeUndefined();
    expect(slots[1]!.settled).toBe(2);

    // An open breaker fails fast without taking a slot.
    await store.apply("model:standard", { type: "force_open" }, 0);
    await expect(invoke(model, request, { onRetry: () => undefined })).rejects.toBeInstanceOf(
      BreakerOpenError,
    );
    expect(slots).toHaveLength(2);
  });

  it("keeps a paid answer when correcting the token count fails", async () => {
    const limiter: RateLimiter = {
      acquire: () => Promise.resolve({ settle: () => Promise.reject(new Error("connection reset")) }),
    };
    const model = new FakeModel(() => "ok");
    const invoke = resilientInvoker({
      clock: new FakeClock(0),
      breakers: new MemoryBreakerStore(() => config),
      limiter,
      sleep: () => Promise.resolve(),
      random: () => 0,
    });
    await expect(invoke(model, request, { onRetry: () => undefined })).resolves.toMatchObject({ text: "ok" });
    expect(model.attempts).toHaveLength(1);
  });
});
