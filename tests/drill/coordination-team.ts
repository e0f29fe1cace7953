import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { defineAgent, defineTool, hybrid, mesh, type Model, type ModelRequest, peerGroup, ToolRegistry } from "@/lib/runtime";

/**
 * The coordination drill's workload (issue 12): a mesh and a hybrid chain whose peers (and, in the
 * hybrid, an orchestrated closer) call a side-effecting tool. Like tests/drill/drill-team.ts, the
 * tool logs every request to a stand-in external system that drops only a REPEATED request for a
 * key it already applied, so a tool the ledger let run twice as a first attempt shows up as a
 * duplicate effect.
 */
// Each answer carries a reply, so a run that completes has something to tell the customer.
const noteSchema = z.object({ note: z.string(), reply: z.string() });
const agent = (name: string, tools: string[] = []) =>
  defineAgent({ name, version: 1, modelTier: "fast", instructions: `Drill ${name}.`, tools, outputSchema: noteSchema });

const [alpha, beta, gamma] = [agent("alpha", ["coord_effect"]), agent("beta"), agent("gamma")];
const peers = [
  { agent: alpha, subscribes: ["task"], publishes: "a" },
  { agent: beta, subscribes: ["task"], publishes: "b" },
  // Hears both findings, solves the sub-problem once: the second delivery is skipped.
  { agent: gamma, subscribes: ["a", "b"], publishes: "answer" },
];

/** Three hops per run (a, b, answer): the bound is met exactly, never exceeded. */
export const MESH_DRILL_HOPS = 3;

export const meshDrillChain = mesh({
  name: "mesh-drill",
  peers,
  answerTopic: "answer",
  limits: { maxSteps: 12, maxHops: MESH_DRILL_HOPS, budgetMs: 10 * 60_000 },
});

export const hybridDrillChain = hybrid({
  name: "hybrid-drill",
  stages: [agent("lead"), peerGroup({ name: "drill-peers", peers, answerTopic: "answer" }), agent("closer", ["coord_effect"])],
  limits: { maxSteps: 14, maxHops: MESH_DRILL_HOPS, budgetMs: 10 * 60_000 },
});

/** Side effects per completed run of each chain (alpha's, plus the hybrid closer's). */
export const EFFECTS_PER_RUN = { "mesh-drill": 1, "hybrid-drill": 2 } as const;

/** One statement each: PGlite prepares what it runs, and a prepared statement holds one command. */
export const COORDINATION_DRILL_TABLES = [
  sql`create table if not exists coord_requests (key text not null, repeated boolean not null, at timestamptz not null default now())`,
  sql`create table if not exists coord_effects (key text not null, at timestamptz not null default now())`,
];

function effectTool(db: Database) {
  return defineTool({
    name: "coord_effect",
    description: "Applies the drill's side effect once per idempotency key.",
    argsSchema: z.object({ note: z.string() }),
    sideEffect: "write",
    async execute(_args, ctx) {
      await db.execute(sql`insert into coord_requests (key, repeated) values (${ctx.idempotencyKey}, ${ctx.repeated})`);
      await jitter();
      if (ctx.repeated) {
        const seen = await db.execute(sql`select 1 from coord_effects where key = ${ctx.idempotencyKey}`);
        const rows = Array.isArray(seen) ? seen : (seen as { rows: unknown[] }).rows;
        if (rows.length > 0) return { applied: false };
      }
      await db.execute(sql`insert into coord_effects (key) values (${ctx.idempotencyKey})`);
      return { applied: true };
    },
  });
}

/** Answers after a few ms of jitter; an agent with the tool calls it once first. */
export class CoordinationDrillModel implements Model {
  async generate(request: ModelRequest) {
    await jitter();
    const wantsTool = request.tools.some((t) => t.name === "coord_effect") && request.messages.at(-1)?.role !== "tool";
    return {
      ...(wantsTool
        ? { toolCalls: [{ id: "call_1", name: "coord_effect", args: { note: request.agent.name } }] }
        : { output: { note: request.agent.name, reply: `${request.agent.name} is done.` } }),
      usage: { inputTokens: 20, outputTokens: 5 },
      model: "drill-instant",
      latencyMs: 1,
    };
  }
}

const jitter = () => new Promise((r) => setTimeout(r, 10 + Math.floor(Math.random() * 50)));

export function coordinationDrillParts(db: Database, model: Model = new CoordinationDrillModel()): RuntimeParts {
  return { chains: [meshDrillChain, hybridDrillChain], tools: new ToolRegistry([effectTool(db)]), model };
}
