import type { Database } from "@/db/client";
import { EvalSampler, type SamplerOptions } from "@/lib/evals/sampler";
import { Evaluator } from "@/lib/evals/evaluator";
import { log } from "@/lib/log";
import { type RetentionOptions, RetentionSweeper } from "@/lib/maintenance/retention";
import { Replayer } from "@/lib/replay/replayer";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { fallbacksPerRun } from "./breaker-trips";
import { type GuardRunnerOptions, RolloutGuard } from "./guard-runner";

export interface BackgroundOptions {
  intervalMs?: number;
  sampler?: Partial<SamplerOptions>;
  guard?: GuardRunnerOptions;
  retention?: RetentionOptions;
}

/** At least the design's 5% of finished conversations; every conversation of a running rollout. */
export const defaultSamplerOptions: SamplerOptions = { share: 0.05, rolloutShare: 1 };

/**
 * The background loop of a worker process: sample finished conversations, score them, let the
 * guard judge running rollouts, run queued replays, and (about once a minute) delete rows past
 * their retention. All of it is off the live path (the evaluator and replayer step aside while
 * live runs wait), and safe to run in every process.
 */
export class RolloutBackground {
  readonly sampler: EvalSampler;
  readonly evaluator: Evaluator;
  readonly guard: RolloutGuard;
  readonly replayer: Replayer;
  readonly retention: RetentionSweeper;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(db: Database, parts: RuntimeParts, private readonly options: BackgroundOptions = {}) {
    this.sampler = new EvalSampler(db, { ...defaultSamplerOptions, ...options.sampler });
    this.evaluator = new Evaluator(db, parts);
    this.guard = new RolloutGuard(db, { breakerTrips: fallbacksPerRun(db), ...options.guard });
    this.replayer = new Replayer(db, parts);
    this.retention = new RetentionSweeper(db, options.retention);
  }

  /** One pass; each part's failure is logged and the others still run. */
  async tick(): Promise<void> {
    for (const [name, part] of [
      ["sampler", () => this.sampler.tick()],
      ["evaluator", () => this.evaluator.drain()],
      ["guard", () => this.guard.tick()],
      ["replayer", () => this.replayer.drain()],
      ["retention", () => this.retention.tick()],
    ] as const) {
      try {
        await part();
      } catch (error) {
        log("warn", `background: ${name} failed`, { error: String(error) });
      }
    }
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick().finally(() => {
        // stop() may have come during the tick: it must not be re-armed behind its back.
        if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs ?? 5_000);
      });
    };
    this.timer = setTimeout(loop, this.options.intervalMs ?? 5_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
