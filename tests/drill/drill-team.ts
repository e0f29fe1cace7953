import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { defineAgent, defineTool, type Model, type ModelRequest, pipeline, ToolRegistry } from "@/lib/runtime";

/**
 * The crash drills' workload (tests/drills: crash-resume, kill-after-effect, stalled-worker): a
 * 4-stage pipeline whose second stage calls a side-effecting tool.
 *
 * The tool talks to a stand-in "external system" (two tables) that logs every request and, like a
 * payment API, applies the effect once per idempotency key (one statement: check and apply).
 * Passing the key is what lib/runtime/README.md asks of every write tool, and it is the only
 * defence when a stalled worker wakes up in the middle of a tool call (stalled-worker drill:
 * checking only on `ctx.repeated` let that late first attempt apply a second effect). The ledger
 * is still checked on its own: the request log shows a key sent twice as a first attempt
 * (fleet.ts, checkIntegrity) or a tool called again after its outcome was recorded
 * (kill-after-effect).
 */
// A reply in every answer: a run that completes has something to tell the customer (else no_reply).
const stageOutput = z.object({ stage: z.number().int(), reply: z.string() });
const stage = (n: number, tools: string[] = []) =>
  defineAgent({
    name: `stage${n}`,
    version: 1,
    modelTier: "fast",
    instructions: `Stage ${n} of the drill.`,
    tools,
    outputSchema: stageOutput,
  });

export const drillChain = pipeline({
  name: "drill",
  stages: [stage(1), stage(2, ["apply_effect"]), stage(3), stage(4)],
  // Generous: a full-scale drill on a loaded machine runs for many minutes, and every run starts at once.
  limits: { maxSteps: 12, budgetMs: 3 * 60 * 60_000 },
});

export const DRILL_TABLES = sql`
  create table if not exists drill_requests (key text not null, repeated boolean not null, at timestamptz not null default now());
  create table if not exists drill_effects (key text not null, at timestamptz not null default now());
  create table if not exists drill_control (hold boolean not null);`;

/**
 * Where a drill worker kills itself (kill-after-effect): right after the effect reached the
 * external system (`after-effect`: the ledger still says `started`), or right after the ledger
 * recorded the outcome (`after-record`: the step has not committed). Only a key's first attempt
 * dies, so every run gets past its effect on the next claim.
 */
export type DieAt = "after-effect" | "after-record";

export function dieAtFromEnv(): DieAt | undefined {
  const v = process.env.DRILL_DIE_AT;
  return v === "after-effect" || v === "after-record" ? v : undefined;
}

/** Keys whose effect was just applied on a first attempt: the after-record hook kills on their ledger write. */
export const armedKeys = new Set<string>();

export interface DrillOptions {
  /** Each model and tool call takes paceMs × (1 + spread × random) (default 10 and 5: 10–60 ms). */
  paceMs?: number;
  spread?: number;
  /**
   * The last stage's model call waits while drill_control.hold is set (crash-resume: no run can
   * finish before the drill has interrupted every one, however slow the machine).
   */
  holdLastStage?: boolean;
  dieAt?: DieAt;
}

function effectTool(db: Database, options: DrillOptions) {
  const jitter = pace(options);
  return defineTool({
    name: "apply_effect",
    description: "Applies the drill's side effect once per idempotency key.",
    argsSchema: z.object({ note: z.string() }),
    sideEffect: "write",
    async execute(_args, ctx) {
      await db.execute(sql`insert into drill_requests (key, repeated) values (${ctx.idempotencyKey}, ${ctx.repeated})`);
      await jitter();
      const applied = await db.execute(sql`insert into drill_effects (key)
        select ${ctx.idempotencyKey} where not exists (select 1 from drill_effects where key = ${ctx.idempotencyKey})
        returning key`);
      const rows = Array.isArray(applied) ? applied : (applied as { rows: unknown[] }).rows;
      if (rows.length === 0) return { applied: false };
      if (!ctx.repeated && options.dieAt === "after-effect") process.kill(process.pid, "SIGKILL");
      if (!ctx.repeated && options.dieAt === "after-record") armedKeys.add(ctx.idempotencyKey);
      return { applied: true };
    },
  });
}

/** Answers instantly but for a few ms of jitter, so kills land at every point of a step. */
class DrillModel implements Model {
  private readonly jitter: () => Promise<unknown>;
  constructor(
    private readonly db: Database,
    private readonly options: DrillOptions,
  ) {
    this.jitter = pace(options);
  }

  async generate(request: ModelRequest) {
    await this.jitter();
    if (request.agent.name === "stage4" && this.options.holdLastStage) await released(this.db);
    const wantsTool = request.tools.some((t) => t.name === "apply_effect") && request.messages.at(-1)?.role !== "tool";
    const stageNo = Number(request.agent.name.replace("stage", ""));
    return {
      ...(wantsTool
        ? { toolCalls: [{ id: "call_1", name: "apply_effect", args: { note: "drill" } }] }
        : { output: { stage: stageNo, reply: `Stage ${stageNo} is done.` } }),
      usage: { inputTokens: 20, outputTokens: 5 },
      model: "drill-instant",
      latencyMs: 1,
    };
  }
}

// A run takes long enough for kills to land mid-run.
const pace =
  ({ paceMs = 10, spread = 5 }: DrillOptions) =>
  () =>
    new Promise((r) => setTimeout(r, paceMs * (1 + Math.random() * spread)));

let release: Promise<void> | undefined;

/** Resolves once drill_control.hold is off (one poll per process, shared by every waiting call). */
function released(db: Database): Promise<void> {
  release ??= (async () => {
    for (;;) {
      const held = await db.execute(sql`select 1 from drill_control where hold`);
      const rows = Array.isArray(held) ? held : (held as { rows: unknown[] }).rows;
      if (rows.length === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  })().catch((error: unknown) => {
    release = undefined; // the next call polls again
    throw error;
  });
  return release;
}

export function drillParts(db: Database, options: DrillOptions = {}): RuntimeParts {
  return {
    chains: [drillChain],
    tools: new ToolRegistry([effectTool(db, options)]),
    model: new DrillModel(db, options),
  };
}
