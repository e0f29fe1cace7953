/**
 * The circuit breaker as a pure state machine: `applyBreakerEvent(state, event, config, now)`.
 * Stores (in memory for tests, Postgres for the app) only persist what it returns, under a lock,
 * so every process applies exactly the same rules. See ./README.md for the defaults and how they
 * relate to resilience4j, Hystrix and cockatiel.
 */

export const breakerStatuses = ["closed", "open", "half_open"] as const;
export type BreakerStatus = (typeof breakerStatuses)[number];

export interface BreakerConfig {
  /** Consecutive failures that open a closed breaker (cockatiel `ConsecutiveBreaker`). */
  readonly consecutiveFailures: number;
  /** Failure share (0–1] over the window that opens it, once `minimumCalls` were made. */
  readonly failureRate: number;
  /** Calls in the window before the failure rate counts (Hystrix `requestVolumeThreshold`). */
  readonly minimumCalls: number;
  /** Length of the sliding time window of the failure rate. */
  readonly windowMs: number;
  /** Granularity of that window; counts age out one bucket at a time. */
  readonly bucketMs: number;
  /** Time an open breaker fails fast before it lets one probe through. */
  readonly cooldownMs: number;
  /** A probe that never reports back is presumed lost after this; the next caller probes. */
  readonly probeTimeoutMs: number;
}

export const defaultBreakerConfig: BreakerConfig = Object.freeze({
  consecutiveFailures: 5,
  failureRate: 0.5,
  minimumCalls: 20,
  windowMs: 60_000,
  bucketMs: 6_000,
  cooldownMs: 30_000,
  probeTimeoutMs: 60_000,
});

export interface WindowBucket {
  /** Epoch ms at which the bucket starts (a multiple of `bucketMs`). */
  readonly start: number;
  readonly calls: number;
  readonly failures: number;
}

/** Serialisable: stored as columns/JSON and shared by every process. */
export interface BreakerState {
  readonly status: BreakerStatus;
  readonly consecutiveFailures: number;
  /** Oldest first; only buckets inside the window. */
  readonly window: readonly WindowBucket[];
  readonly openedAt: number | null;
  /** While half-open: the probe in flight holds the breaker until then. */
  readonly probeUntil: number | null;
  /** Opened by a person: stays open, without probes, until reset. */
  readonly forced: boolean;
  readonly lastFailureAt: number | null;
}

export const initialBreakerState: BreakerState = Object.freeze({
  status: "closed",
  consecutiveFailures: 0,
  window: [],
  openedAt: null,
  probeUntil: null,
  forced: false,
  lastFailureAt: null,
});

/**
 * What happens to a breaker. `acquire` asks to make a call; `success`/`failure` report a call's
 * outcome (`probe` for the call that `acquire` admitted as the half-open probe; `count` lets a
 * store report several successes at once, `at` says when the last of them happened); `cancel`
 * returns an unused probe permit; `force_open` and `reset` are a person's.
 */
export type BreakerEvent =
  | { readonly type: "acquire" }
  | {
      readonly type: "success";
      readonly probe?: boolean;
      readonly count?: number;
      readonly at?: number;
    }
  | { readonly type: "failure"; readonly probe?: boolean }
  | { readonly type: "cancel" }
  | { readonly type: "force_open" }
  | { readonly type: "reset" };

export type BreakerDecision = "allow" | "probe" | "reject";

export const transitionReasons = [
  "consecutive_failures",
  "failure_rate",
  "cooldown_elapsed",
  "probe_succeeded",
  "probe_failed",
  "forced_open",
  "reset",
] as const;
export type TransitionReason = (typeof transitionReasons)[number];

export interface BreakerTransition {
  readonly from: BreakerStatus;
  readonly to: BreakerStatus;
  readonly reason: TransitionReason;
}

export interface BreakerResult {
  readonly state: BreakerState;
  /** Set for `acquire`. */
  readonly decision?: BreakerDecision;
  /** Set when the status changed (and for a reset or force of an already closed/open breaker). */
  readonly transition?: BreakerTransition;
}

/** Failures and calls currently inside the window. */
export function windowCounts(
  state: BreakerState,
  config: BreakerConfig,
  now: number,
): { calls: number; failures: number } {
  let calls = 0;
  let failures = 0;
  for (const bucket of liveBuckets(state.window, config, now)) {
    calls += bucket.calls;
    failures += bucket.failures;
  }
  return { calls, failures };
}

/** The one transition function every store applies. Never mutates its input. */
export function applyBreakerEvent(
  state: BreakerState,
  event: BreakerEvent,
  config: BreakerConfig,
  now: number,
): BreakerResult {
  switch (event.type) {
    case "acquire":
      return acquire(state, config, now);
    case "success":
      return succeed(state, event, config, now);
    case "failure":
      return fail(state, event.probe === true, config, now);
    case "cancel":
      return { state: state.status === "half_open" ? { ...state, probeUntil: null } : state };
    case "force_open":
      return move(state, { ...openState(state, now), forced: true }, "forced_open", true);
    case "reset":
      return move(state, { ...initialBreakerState }, "reset", true);
  }
}

function acquire(state: BreakerState, config: BreakerConfig, now: number): BreakerResult {
  if (state.status === "closed") return { state, decision: "allow" };
  if (state.status === "open") {
    if (state.forced || now < (state.openedAt ?? now) + config.cooldownMs)
      return { state, decision: "reject" };
    const next: BreakerState = {
      ...state,
      status: "half_open",
      probeUntil: now + config.probeTimeoutMs,
    };
    return { ...move(state, next, "cooldown_elapsed"), decision: "probe" };
  }
  // Half-open admits one probe at a time; a lost probe's permit lapses so the breaker cannot hang.
  if (state.probeUntil !== null && now < state.probeUntil) return { state, decision: "reject" };
  return { state: { ...state, probeUntil: now + config.probeTimeoutMs }, decision: "probe" };
}

function succeed(
  state: BreakerState,
  event: Extract<BreakerEvent, { type: "success" }>,
  config: BreakerConfig,
  now: number,
): BreakerResult {
  if (state.status === "half_open" && event.probe)
    return move(state, { ...initialBreakerState }, "probe_succeeded");
  // A call admitted before the breaker opened says nothing about the provider now.
  if (state.status !== "closed") return { state };
  const count = Math.max(1, event.count ?? 1);
  const at = Math.min(event.at ?? now, now);
  // Successes reported late in a batch must not erase a failure that happened after them.
  const resets = state.lastFailureAt === null || at >= state.lastFailureAt;
  return {
    state: {
      ...state,
      consecutiveFailures: resets ? 0 : state.consecutiveFailures,
      window: addToWindow(state.window, config, at, now, count, 0),
    },
  };
}

function fail(
  state: BreakerState,
  probe: boolean,
  config: BreakerConfig,
  now: number,
): BreakerResult {
  if (state.status === "half_open" && probe)
    return move(state, openState(state, now), "probe_failed");
  if (state.status !== "closed") return { state };
  const counted: BreakerState = {
    ...state,
    consecutiveFailures: state.consecutiveFailures + 1,
    window: addToWindow(state.window, config, now, now, 1, 1),
    lastFailureAt: now,
  };
  if (counted.consecutiveFailures >= config.consecutiveFailures)
    return move(state, openState(counted, now), "consecutive_failures");
  const { calls, failures } = windowCounts(counted, config, now);
  if (calls >= config.minimumCalls && failures / calls >= config.failureRate)
    return move(state, openState(counted, now), "failure_rate");
  return { state: counted };
}

/** Open keeps the counts that opened it (the console shows them) until the breaker closes. */
function openState(state: BreakerState, now: number): BreakerState {
  return { ...state, status: "open", openedAt: now, probeUntil: null, forced: false };
}

function move(
  before: BreakerState,
  after: BreakerState,
  reason: TransitionReason,
  always = false,
): BreakerResult {
  if (!always && before.status === after.status) return { state: after };
  return { state: after, transition: { from: before.status, to: after.status, reason } };
}

function liveBuckets(
  window: readonly WindowBucket[],
  config: BreakerConfig,
  now: number,
): readonly WindowBucket[] {
  const oldest = now - config.windowMs;
  return window.filter((bucket) => bucket.start + config.bucketMs > oldest);
}

function addToWindow(
  window: readonly WindowBucket[],
  config: BreakerConfig,
  at: number,
  now: number,
  calls: number,
  failures: number,
): WindowBucket[] {
  const start = Math.floor(at / config.bucketMs) * config.bucketMs;
  const live = liveBuckets(window, config, now).map((b) => ({
    start: b.start,
    calls: b.calls,
    failures: b.failures,
  }));
  if (start + config.bucketMs <= now - config.windowMs) return live;
  const bucket = live.find((b) => b.start === start);
  if (bucket) {
    bucket.calls += calls;
    bucket.failures += failures;
    return live;
  }
  return [...live, { start, calls, failures }].sort((a, b) => a.start - b.start);
}
