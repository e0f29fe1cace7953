import { type SpendGate } from "./budget/gate";
import { assertCacheable } from "./cache/policy";
import { type ResponseCache } from "./cache/port";
import { type Pricing } from "./budget/pricing";
import { type ConversationBudget } from "./budget/state";
import { clonePlain } from "./clone";
import { type Chain, pinVersions } from "./chain";
import { type StepContext } from "./context";
import { BoundExceededError, ConfigurationError, type RuntimeError } from "./errors";
import { invokeOnce, type Model, type ModelInvoker } from "./model";
import {
  type Clock,
  type IdGenerator,
  type RunObserver,
  type RunStore,
  systemClock,
  type ToolLedger,
} from "./ports";
import { handBack, handBackSchema } from "./hand-back";
import { EventRecorder } from "./recorder";
import { replayLog, unreplayable } from "./log-replay";
import { resume } from "./resume";
import { humanDecisionSchema, type RunState } from "./state";
import { executeStep, type StepResult } from "./step";
import { type Redactor } from "./redaction";
import { type ToolRegistry } from "./tools";
import { openThread } from "./transitions";

/** Everything the loop needs from the outside world. */
export interface RunLoopDeps {
  readonly chains: readonly Chain[];
  readonly model: Model;
  readonly store: RunStore;
  readonly ledger: ToolLedger;
  readonly tools: ToolRegistry;
  readonly ids: IdGenerator;
  readonly clock?: Clock;
  /** Resilience seam (retries, breakers, fallbacks); defaults to one plain call. */
  readonly invokeModel?: ModelInvoker;
  readonly observer?: RunObserver;
  /** Prices calls (budget/pricing.ts); enables conversation budgets. */
  readonly pricing?: Pricing;
  /** Daily budgets shared across processes (budget/gate.ts). */
  readonly spendGate?: SpendGate;
  /** Exact and semantic answer cache for agents that enable it (cache/port.ts). */
  readonly cache?: ResponseCache;
  /** Scrubs known secrets from model answers, tool outcomes and provider errors (redaction.ts). */
  readonly redactor?: Redactor;
  /**
   * At most this many steps between stored checkpoints (default {@link CHECKPOINT_EVERY}); the
   * steps in between commit only their events, from which a process that takes the run over
   * rebuilds the checkpoint (log-replay/). 1 stores every step's. A run stores its checkpoint
   * whenever it is created, parks or settles, and for a step its log could not rebuild.
   */
  readonly checkpointEvery?: number;
}

/** The default of {@link RunLoopDeps.checkpointEvery}: a takeover replays at most 7 steps. */
export const CHECKPOINT_EVERY = 8;

/** Where a driven run stands: its state, and the step of the checkpoint its store holds. */
interface Position {
  readonly state: RunState;
  readonly storedStep: number;
}

export interface StartOptions {
  /** Caller-chosen id, e.g. derived from an Idempotency-Key: a second start conflicts. */
  readonly runId?: string;
  /** Version pins overriding the newest (a canary assignment). */
  readonly versions?: Readonly<Record<string, number>>;
  readonly signal?: AbortSignal;
  /**
   * The conversation's cost budget: its limit (null: unlimited) and what earlier turns of the
   * same conversation spent. Checkpointed with the run; ignored without a Pricing port.
   */
  readonly budget?: { readonly limitUsd: number | null; readonly spentUsd?: number };
  /**
   * The rolling context summary an earlier turn of the same conversation ended with
   * (context-policy/): this run folds only the turns since into it.
   */
  readonly contextSummary?: { readonly turns: number; readonly text: string };
}

/**
 * Drives runs one step at a time. Each step is exactly one `commitStep` (events + checkpoint), so
 * a run costs one durable write per step, and the optimistic seq check makes a second writer
 * fail with ConcurrencyConflict instead of forking the run. The loop keeps no state between
 * calls: any instance over the same store can continue any run from its checkpoint.
 */
export class RunLoop {
  private readonly chains = new Map<string, Chain>();
  private readonly clock: Clock;

  /** @throws ConfigurationError on duplicate chain names or agents allowing unregistered tools. */
  constructor(private readonly deps: RunLoopDeps) {
    this.clock = deps.clock ?? systemClock;
    for (const chain of deps.chains) {
      if (this.chains.has(chain.name))
        throw new ConfigurationError(`chain ${chain.name} registered twice`);
      for (const agent of chain.agents) {
        deps.tools.assertKnown(agent);
        assertCacheable(agent, deps.tools);
      }
      this.chains.set(chain.name, chain);
    }
  }

  /**
   * Creates a run and drives it until it settles. The creation rides with the first step's
   * commit: nobody has heard of the run before that commit, so a process that dies first leaves
   * nothing to lose or repeat, and the run costs one commit per step. A caller that must answer
   * before the run is driven (the API) creates it durably on its own with {@link create}.
   */
  async start(chainName: string, input: string, options: StartOptions = {}): Promise<RunState> {
    const created = this.initial(chainName, input, options);
    const first = await this.stepFrom({ state: created.state, storedStep: 0 }, options.signal, created.events);
    return this.drive(first, options.signal);
  }

  /** Creates a run durably without driving it (e.g. the API answers 201, a worker runs it). */
  async create(chainName: string, input: string, options: StartOptions = {}): Promise<RunState> {
    const created = this.initial(chainName, input, options);
    return (await this.commit(created.state, created)).state;
  }

  /** A new run's state and its `run_started` event, not yet committed. */
  private initial(chainName: string, input: string, options: StartOptions): StepResult {
    const chain = this.chain(chainName);
    const now = this.clock.now();
    const versions = pinVersions(chain, options.versions);
    const state: RunState = {
      runId: options.runId ?? this.deps.ids.newId("run"),
      chain: chain.name,
      status: "running",
      seq: 0,
      step: 0,
      input,
      versions,
      deadlineAt: now + chain.limits.budgetMs,
      handoffs: 0,
      threadCounter: 0,
      threads: [],
      interruptions: [],
      usage: { inputTokens: 0, outputTokens: 0 },
      ...(this.deps.pricing ? { budget: initialBudget(options.budget) } : {}),
      ...(options.contextSummary ? { context: { summary: { ...options.contextSummary } } } : {}),
    };
    for (const spec of chain.entry(input)) openThread(state, spec);
    const rec = new EventRecorder(this.clock);
    rec.run({ type: "run_started", chain: chain.name, input, versions });
    return { state, events: rec.drafts };
  }

  /** Executes and commits exactly one step of a running run. */
  async step(runId: string, signal?: AbortSignal): Promise<RunState> {
    const at = await this.load(runId);
    if (at.state.status !== "running") throw new ConfigurationError(`run ${runId} is ${at.state.status}`);
    return (await this.stepFrom(at, signal)).state;
  }

  /** Continues a run from its checkpoint until it completes, escalates, fails or parks. */
  async run(runId: string, signal?: AbortSignal): Promise<RunState> {
    return this.drive(await this.load(runId), signal);
  }

  /**
   * Records a human decision on a parked run (one commit) and drives it on if it is running again.
   * @param decision untrusted input from the console; validated here.
   */
  async resume(runId: string, decision: unknown, signal?: AbortSignal): Promise<RunState> {
    // A decision stores its checkpoint: the steps after it count from there.
    const state = await this.decide(runId, decision);
    return this.drive({ state, storedStep: state.step }, signal);
  }

  /**
   * Records a human decision (one commit) without driving the run, for callers such as a console
   * action that leave the agent work to a worker.
   * @throws ConfigurationError on an invalid decision or a run that is not waiting for it.
   */
  async decide(runId: string, decision: unknown): Promise<RunState> {
    const parsed = humanDecisionSchema.safeParse(decision);
    if (!parsed.success) throw new ConfigurationError(`invalid decision: ${parsed.error.message}`);
    const { state } = await this.load(runId);
    return (await this.commit(state, resume(this.chain(state.chain), state, parsed.data, this.clock))).state;
  }

  /**
   * Returns an escalated run to its agents (one commit, see {@link handBack}) without driving it:
   * a worker continues the same run from this checkpoint.
   * @param request untrusted input from the console; validated here.
   * @throws ConfigurationError on an invalid request or a run that is not escalated.
   */
  async handBack(runId: string, request: unknown): Promise<RunState> {
    const parsed = handBackSchema.safeParse(request);
    if (!parsed.success) throw new ConfigurationError(`invalid hand-back: ${parsed.error.message}`);
    const { state } = await this.load(runId);
    return (await this.commit(state, handBack(this.chain(state.chain), state, parsed.data, this.clock))).state;
  }

  /**
   * Fails a running run durably without driving it (one commit), e.g. a worker giving up on a run
   * that keeps crashing the workers that claim it. A run that has already settled is returned
   * as it is.
   */
  async fail(runId: string, error: RuntimeError): Promise<RunState> {
    const { state } = await this.load(runId);
    if (state.status !== "running") return state;
    return (await this.commit(state, this.failure(state, error))).state;
  }

  private async drive(initial: Position, signal?: AbortSignal): Promise<RunState> {
    let at = initial;
    // The state's own bounds end every run; this cap only guards against a bug in them.
    const cap = this.chain(at.state.chain).limits.maxSteps + 2;
    for (let i = 0; at.state.status === "running"; i++) {
      if (i > cap)
        throw new BoundExceededError(
          "max_steps",
          `run ${at.state.runId} did not settle in ${cap} steps`,
        );
      at = await this.stepFrom(at, signal);
    }
    return at.state;
  }

  /** One step from `state`; `creation` holds a new run's uncommitted events, which go first. */
  private async stepFrom(
    { state, storedStep }: Position,
    signal?: AbortSignal,
    creation: StepResult["events"] = [],
  ): Promise<Position> {
    const ctx: StepContext = {
      chain: this.chain(state.chain),
      model: this.deps.model,
      invoke: this.deps.invokeModel ?? invokeOnce,
      tools: this.deps.tools,
      ledger: this.deps.ledger,
      clock: this.clock,
      signal,
      pricing: this.deps.pricing,
      spendGate: this.deps.spendGate,
      cache: this.deps.cache,
      redactor: this.deps.redactor,
    };
    let result: StepResult;
    try {
      result = await executeStep(ctx, state);
    } catch (error) {
      // A misconfiguration will not heal on retry: fail the run durably so no worker claims it
      // forever. Everything else escapes uncommitted and the run stays at its checkpoint.
      if (!(error instanceof ConfigurationError)) throw error;
      result = this.failure(state, error);
    }
    if (creation.length > 0) return this.commit(state, { state: result.state, events: [...creation, ...result.events] });
    return this.commit(state, result, storedStep);
  }

  private failure(state: RunState, error: RuntimeError): StepResult {
    const failed = clonePlain(state);
    failed.status = "failed";
    const rec = new EventRecorder(this.clock);
    rec.run({ type: "failed", error: { category: error.category, message: error.message } });
    return { state: failed, events: rec.drafts };
  }

  /**
   * The one durable write of a step: sequenced events and the checkpoint, guarded by seq. A step
   * of a run that goes on running, `storedStep` steps after the stored checkpoint, may leave its
   * checkpoint to the log; anything else (no `storedStep`) stores it.
   */
  private async commit(before: RunState, result: StepResult, storedStep?: number): Promise<Position> {
    const { runId } = result.state;
    const events = result.events.map((draft, i) => ({ ...draft, runId, seq: before.seq + i + 1 }));
    const checkpoint: RunState = { ...result.state, seq: before.seq + events.length };
    const deferCheckpoint =
      storedStep !== undefined &&
      checkpoint.status === "running" &&
      checkpoint.step - storedStep < (this.deps.checkpointEvery ?? CHECKPOINT_EVERY) &&
      unreplayable(events) === null;
    await this.deps.store.commitStep(runId, before.seq, events, checkpoint, deferCheckpoint ? { deferCheckpoint } : undefined);
    this.deps.observer?.onCommitted(events, checkpoint);
    return { state: checkpoint, storedStep: deferCheckpoint ? storedStep : checkpoint.step };
  }

  /**
   * The run as its last commit left it: the stored checkpoint, with the steps committed after it
   * replayed from their events. A run whose log does not rebuild it (its chain's code changed
   * under it, or read something the log does not hold) fails, log intact, for a person to take
   * over, rather than go on from a state it never had.
   */
  private async load(runId: string): Promise<Position> {
    const loaded = await this.deps.store.loadCheckpoint(runId);
    if (!loaded) throw new ConfigurationError(`unknown run ${runId}`);
    const stored = loaded.state;
    if (!loaded.log?.length) return { state: stored, storedStep: stored.step };
    const { tools, pricing, redactor } = this.deps;
    const replayed = await replayLog({ chain: this.chain(stored.chain), tools, pricing, redactor }, stored, loaded.log);
    if (replayed.ok) return { state: replayed.state, storedStep: stored.step };
    const last = { ...stored, seq: loaded.seq };
    const error = new ConfigurationError(`run ${runId} cannot be rebuilt from its log: ${replayed.reason}`);
    return this.commit(last, this.failure(last, error));
  }

  private chain(name: string): Chain {
    const chain = this.chains.get(name);
    if (!chain) throw new ConfigurationError(`unknown chain ${name}`);
    return chain;
  }
}

function initialBudget(budget: StartOptions["budget"]): ConversationBudget {
  const limitUsd = budget?.limitUsd ?? null;
  if (limitUsd !== null && !(limitUsd >= 0))
    throw new ConfigurationError(`conversation budget must be a non-negative amount`);
  return { limitUsd, spentUsd: Math.max(0, budget?.spentUsd ?? 0), downgraded: false };
}
