import { type Pricing } from "../budget/pricing";
import { type Chain } from "../chain";
import { type StepContext } from "../context";
import { type RunEvent } from "../events";
import { wasCut } from "../model-call";
import { type Model } from "../model";
import { type Redactor } from "../redaction";
import { type RunState } from "../state";
import { executeStep } from "../step";
import { type ToolRegistry } from "../tools";
import { firstDifference } from "./compare";
import { LoggedLedger, ReplayDivergence, ThreadLog } from "./thread-log";

/**
 * Rebuilding a checkpoint from the log (docs/step-log.md, phase C): a step is executed again from
 * the checkpoint before it, with every input that does not come from that checkpoint (model
 * answers, tool outcomes, cache hits, the daily budgets' decisions, breakers, the clock) answered
 * from the step's own events. The replay checks itself: the events it records must be the logged
 * ones, times apart. A step it cannot rebuild is reported, never guessed.
 */

/** What a replay takes from the running process: the chain's code and configuration. */
export interface ReplayParts {
  readonly chain: Chain;
  readonly tools: ToolRegistry;
  readonly pricing?: Pricing;
  readonly redactor?: Redactor;
}

export type Replayed = { ok: true; state: RunState } | { ok: false; reason: string };

const noModel: Model = {
  generate: () => Promise.reject(new ReplayDivergence("a replay called the model")),
};

/**
 * Why a commit's events could not rebuild its checkpoint, or null if they could: the commit must
 * be a step, and every answer in it whole. A writer keeps the checkpoint of a commit this refuses.
 */
export function unreplayable(events: readonly RunEvent[]): string | null {
  if (events[0]?.type !== "step_started") return "the commit is not a step";
  const cut = events.find((e) => (e.type === "llm_call" || e.type === "cache_hit") && (wasCut(e.output) || wasCut("text" in e ? e.text : undefined)));
  return cut ? `event ${cut.seq} holds an answer cut to fit the log` : null;
}

/**
 * The checkpoint after one logged step, from the checkpoint before it. `logged` is the step's
 * commit: it starts with its `step_started` and follows `before.seq` without a gap.
 */
export async function replayStep(
  parts: ReplayParts,
  before: RunState,
  logged: readonly RunEvent[],
): Promise<Replayed> {
  const unfit = unreplayable(logged);
  if (unfit) return { ok: false, reason: unfit };
  const start = logged[0]!;
  if (start.seq !== before.seq + 1) return { ok: false, reason: `the step starts at seq ${start.seq}, the checkpoint is at ${before.seq}` };
  let result;
  try {
    result = await executeStep(contextOf(parts, logged, start.at), before);
  } catch (error) {
    return { ok: false, reason: `replay stopped: ${error instanceof Error ? error.message : String(error)}` };
  }
  const difference = firstDifference(result.events, logged);
  if (difference) return { ok: false, reason: difference };
  return { ok: true, state: { ...result.state, seq: logged.at(-1)!.seq } };
}

/**
 * The checkpoint after every step of `events` (the log after `snapshot`, in seq order), or the
 * first step that cannot be rebuilt. Each step begins at its `step_started`.
 */
export async function replayLog(
  parts: ReplayParts,
  snapshot: RunState,
  events: readonly RunEvent[],
): Promise<Replayed> {
  let state = snapshot;
  for (const step of stepsOf(events)) {
    const replayed = await replayStep(parts, state, step);
    if (!replayed.ok) return replayed;
    state = replayed.state;
  }
  return { ok: true, state };
}

function stepsOf(events: readonly RunEvent[]): RunEvent[][] {
  const steps: RunEvent[][] = [];
  for (const event of events) {
    if (event.type === "step_started" || steps.length === 0) steps.push([]);
    steps.at(-1)!.push(event);
  }
  return steps;
}

function contextOf(parts: ReplayParts, logged: readonly RunEvent[], at: number): StepContext {
  const dailyRefusal = logged.find(
    (e): e is Extract<RunEvent, { type: "budget_exhausted" }> => e.type === "budget_exhausted" && e.scope !== "conversation",
  );
  const base: StepContext = {
    chain: parts.chain,
    tools: parts.tools,
    pricing: parts.pricing,
    redactor: parts.redactor,
    model: noModel,
    ledger: new LoggedLedger(logged),
    // The bounds are checked at the step's start; any other reading of the clock lands in an
    // event time, which the comparison leaves out, or in a parked run, which is a snapshot.
    clock: { now: () => at },
    invoke: () => Promise.reject(new ReplayDivergence("a model call outside a thread's turn")),
  };
  return {
    ...base,
    forThread: (threadId) => {
      const log = new ThreadLog(threadId, logged, dailyRefusal);
      return { ...base, invoke: log.invoke, cache: log.cache, ...(parts.pricing ? { spendGate: log.spendGate } : {}) };
    },
  };
}
