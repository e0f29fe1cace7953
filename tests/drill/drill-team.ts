import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { defineAgent, defineTool, type Model, type ModelRequest, pipeline, ToolRegistry } from "@/lib/runtime";

/**
 * The crash drill's workload: a 4-stage pipeline whose second stage calls a side-effecting tool.
 * The tool talks to a stand-in "external system" (two tables) that logs every request and applies
 * the effect; like a payment API it drops a REPEATED request (ctx.repeated) for a key it already
 * applied, and nothing else, so if the ledger ever let a tool run twice as a first attempt the
 * drill sees a duplicate effect.
 */
const stageOutput = z.object({ stage: z.number().int() });
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
  limits: { maxSteps: 12, budgetMs: 10 * 60_000 },
});

export const DRILL_TABLES = sql`
  create table if not exists drill_requests (key text not null, repeated boolean not null, at timestamptz not null default now());
  create table if not exists drill_effects (key text not null, at timestamptz not null default now());`;

function effectTool(db: Database) {
  return defineTool({
    name: "apply_effect",
    description: "Applies the drill's side effect once per idempotency key.",
    argsSchema: z.object({ note: z.string() }),
    sideEffect: "write",
    async execute(_args, ctx) {
      await db.execute(sql`insert into drill_requests (key, repeated) values (${ctx.idempotencyKey}, ${ctx.repeated})`);
      await jitter();
      if (ctx.repeated) {
        const seen = await db.execute(sql`select 1 from drill_effects where key = ${ctx.idempotencyKey}`);
        const rows = Array.isArray(seen) ? seen : (seen as { rows: unknown[] }).rows;
        if (rows.length > 0) return { applied: false };
      }
      await db.execute(sql`insert into drill_effects (key) values (${ctx.idempotencyKey})`);
      return { applied: true };
    },
  });
}

/** Answers instantly but for a few ms of jitter, so kills land at every point of a step. */
class DrillModel implements Model {
  async generate(request: ModelRequest) {
    await jitter();
    const wantsTool = request.tools.some((t) => t.name === "apply_effect") && request.messages.at(-1)?.role !== "tool";
    const stageNo = Number(request.agent.name.replace("stage", ""));
    return {
      ...(wantsTool
        ? { toolCalls: [{ id: "call_1", name: "apply_effect", args: { note: "drill" } }] }
        : { output: { stage: stageNo } }),
      usage: { inputTokens: 20, outputTokens: 5 },
      model: "drill-instant",
      latencyMs: 1,
    };
  }
}

// 10–60 ms per model call and tool call: a run takes long enough for kills to land mid-run.
const jitter = () => new Promise((r) => setTimeout(r, 10 + Math.floor(Math.random() * 50)));

export function drillParts(db: Database): RuntimeParts {
  return { chains: [drillChain], tools: new ToolRegistry([effectTool(db)]), model: new DrillModel() };
}
