import { describe, expect, it } from "vitest";
import {
  applyBreakerEvent,
  type BreakerConfig,
  type BreakerEvent,
  type BreakerState,
  defaultBreakerConfig,
  initialBreakerState,
  windowCounts,
} from "@/lib/runtime/resilience/breaker";
import { FakeClock } from "@/lib/runtime/testing";

const config: BreakerConfig = {
  ...defaultBreakerConfig,
  consecutiveFailures: 3,
  failureRate: 0.5,
  minimumCalls: 10,
  windowMs: 10_000,
  bucketMs: 1_000,
  cooldownMs: 5_000,
  probeTimeoutMs: 2_000,
};

const S = { type: "success" } as const;
const F = { type: "failure" } as const;

/** Applies events at the clock's time (advancing `stepMs` after each) and returns the end state. */
function run(
  events: readonly BreakerEvent[],
  opts: { clock?: FakeClock; cfg?: BreakerConfig; stepMs?: number; from?: BreakerState } = {},
) {
  const clock = opts.clock ?? new FakeClock();
  let state = opts.from ?? initialBreakerState;
  const transitions: string[] = [];
  const decisions: string[] = [];
  for (const event of events) {
    const result = applyBreakerEvent(state, event, opts.cfg ?? config, clock.now());
    state = result.state;
    if (result.transition)
      transitions.push(
        `${result.transition.from}->${result.transition.to}:${result.transition.reason}`,
      );
    if (result.decision) decisions.push(result.decision);
    clock.advance(opts.stepMs ?? 10);
  }
  return { state, transitions, decisions, clock };
}

const repeat = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

describe("closed → open on consecutive failures", () => {
  it.each([1, 3, 5, 8])("opens at exactly %i consecutive failures, not one earlier", (n) => {
    const cfg = { ...config, consecutiveFailures: n, minimumCalls: 1_000 };
    const before = run(repeat(n - 1, F), { cfg });
    expect(before.state.status).toBe("closed");
    expect(before.transitions).toEqual([]);
    const at = run(repeat(n, F), { cfg });
    expect(at.state.status).toBe("open");
    expect(at.transitions).toEqual(["closed->open:consecutive_failures"]);
  });

  it.each([
    { events: [F, F, S, F, F], status: "closed", why: "a success in between resets the count" },
    { events: [F, S, F, F, F], status: "open", why: "three in a row after the success" },
    { events: [S, S, S, F, F], status: "closed", why: "two failures are not three" },
  ])("$events.length events → $status ($why)", ({ events, status }) => {
    expect(run(events, { cfg: { ...config, minimumCalls: 1_000 } }).state.status).toBe(status);
  });

  it("a batch of successes that happened before the last failure does not reset the count", () => {
    const clock = new FakeClock(100_000);
    const { state } = run([F, F, { type: "success", count: 4, at: 99_000 }, F], {
      clock,
      cfg: { ...config, minimumCalls: 1_000 },
    });
    expect(state.status).toBe("open");
  });
});

describe("closed → open on the failure rate", () => {
  // Alternating S,F never reaches 3 consecutive failures, so only the rate can open the breaker.
  const alternating = (calls: number) =>
    Array.from({ length: calls }, (_, i) => (i % 2 === 0 ? S : F));
  it.each([
    { calls: 8, status: "closed", why: "50% failures but below the minimum volume of 10" },
    { calls: 9, status: "closed", why: "still below the minimum volume" },
    { calls: 10, status: "open", why: "the 10th call (a failure) reaches 5/10 = 50%" },
  ])("$calls alternating calls → $status ($why)", ({ calls, status }) => {
    const result = run(alternating(calls));
    expect(result.state.status).toBe(status);
    if (status === "open") expect(result.transitions).toEqual(["closed->open:failure_rate"]);
  });

  it.each([
    { failures: 4, status: "closed" },
    { failures: 5, status: "open" },
  ])("at volume 10 with $failures failures → $status (threshold 50%)", ({ failures, status }) => {
    // Successes first, failures spread so no three are consecutive: S…S F S F …
    const events: BreakerEvent[] = [...repeat(10 - 2 * failures, S)];
    for (let i = 0; i < failures; i++) events.push(S, F);
    events.splice(0, events.length - 10);
    expect(events.filter((e) => e.type === "failure")).toHaveLength(failures);
    expect(run(events).state.status).toBe(status);
  });

  it("counts only the sliding window: old calls age out", () => {
    const clock = new FakeClock(0);
    const old = run([S, F, S, F, S, F, S, F], { clock, stepMs: 100 });
    expect(windowCounts(old.state, config, clock.now())).toEqual({ calls: 8, failures: 4 });
    // Buckets age out whole: a bucket counts while any part of it is inside the window.
    clock.set(config.windowMs + config.bucketMs - 1);
    expect(windowCounts(old.state, config, clock.now())).toEqual({ calls: 8, failures: 4 });
    clock.set(config.windowMs + config.bucketMs);
    expect(windowCounts(old.state, config, clock.now())).toEqual({ calls: 0, failures: 0 });
    // Two more failing calls: 2/2 but far below the volume, because the first eight aged out.
    const after = run([S, F], { clock, from: old.state });
    expect(after.state.status).toBe("closed");
  });
});

describe("open", () => {
  const opened = () => run(repeat(3, F), { clock: new FakeClock(0), stepMs: 0 });

  it("rejects every call until the cooldown has passed", () => {
    const { state, clock } = opened();
    const during = run(repeat(20, { type: "acquire" }), { clock, from: state, stepMs: 200 });
    expect(during.decisions).toEqual(repeat(20, "reject"));
    expect(during.state.status).toBe("open");
  });

  it("lets exactly one probe through once the cooldown has passed (half-open)", () => {
    const { state, clock } = opened();
    clock.advance(config.cooldownMs);
    const after = run(repeat(20, { type: "acquire" }), { clock, from: state, stepMs: 0 });
    expect(after.decisions).toEqual(["probe", ...repeat(19, "reject")]);
    expect(after.transitions).toEqual(["open->half_open:cooldown_elapsed"]);
  });

  it("ignores late outcomes of calls admitted before it opened", () => {
    const { state, clock } = opened();
    const after = run([S, S, F], { clock, from: state });
    expect(after.state).toEqual(state);
  });
});

describe("half-open", () => {
  const halfOpen = () => {
    const { state, clock } = run(repeat(3, F), { clock: new FakeClock(0), stepMs: 0 });
    clock.advance(config.cooldownMs);
    return run([{ type: "acquire" }], { clock, from: state, stepMs: 0 });
  };

  it("closes when the probe succeeds, with fresh counts", () => {
    const { state, clock } = halfOpen();
    const after = run([{ type: "success", probe: true }], { clock, from: state });
    expect(after.transitions).toEqual(["half_open->closed:probe_succeeded"]);
    expect(after.state).toEqual(initialBreakerState);
    expect(run([{ type: "acquire" }], { clock, from: after.state }).decisions).toEqual(["allow"]);
  });

  it("reopens when the probe fails, and the cooldown starts again", () => {
    const { state, clock } = halfOpen();
    const after = run([{ type: "failure", probe: true }], { clock, from: state, stepMs: 0 });
    expect(after.transitions).toEqual(["half_open->open:probe_failed"]);
    expect(after.state.openedAt).toBe(clock.now());
    clock.advance(config.cooldownMs - 1);
    expect(run([{ type: "acquire" }], { clock, from: after.state, stepMs: 1 }).decisions).toEqual([
      "reject",
    ]);
    expect(run([{ type: "acquire" }], { clock, from: after.state }).decisions).toEqual(["probe"]);
  });

  it("a non-probe outcome (a call from before) neither closes nor reopens it", () => {
    const { state, clock } = halfOpen();
    expect(run([S, F], { clock, from: state }).state).toEqual(state);
  });

  it("admits a new probe when the first one never reports back within the probe timeout", () => {
    const { state, clock } = halfOpen();
    clock.advance(config.probeTimeoutMs - 1);
    expect(run([{ type: "acquire" }], { clock, from: state, stepMs: 1 }).decisions).toEqual([
      "reject",
    ]);
    expect(run([{ type: "acquire" }], { clock, from: state }).decisions).toEqual(["probe"]);
  });

  it("admits the next probe at once when the probe permit is given back (cancel)", () => {
    const { state, clock } = halfOpen();
    expect(
      run([{ type: "cancel" }, { type: "acquire" }, { type: "acquire" }], { clock, from: state })
        .decisions,
    ).toEqual(["probe", "reject"]);
  });
});

describe("forced by a person", () => {
  it("force_open rejects even after the cooldown, until reset closes it", () => {
    const clock = new FakeClock(0);
    const forced = run([{ type: "force_open" }], { clock });
    expect(forced.transitions).toEqual(["closed->open:forced_open"]);
    clock.advance(config.cooldownMs * 10);
    expect(run([{ type: "acquire" }], { clock, from: forced.state }).decisions).toEqual(["reject"]);
    const reset = run([{ type: "reset" }, { type: "acquire" }], { clock, from: forced.state });
    expect(reset.transitions).toEqual(["open->closed:reset"]);
    expect(reset.decisions).toEqual(["allow"]);
  });

  it("a reset clears the counts even of a closed breaker, and is recorded", () => {
    const some = run([F, F], { cfg: { ...config, minimumCalls: 1_000 } });
    const reset = run([{ type: "reset" }], { from: some.state });
    expect(reset.transitions).toEqual(["closed->closed:reset"]);
    expect(reset.state.consecutiveFailures).toBe(0);
  });
});
