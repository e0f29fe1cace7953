import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { closeDatabase, type Database, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import * as schema from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { newId } from "@/lib/ids";
import { createRunLoop, type RuntimeParts } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { defineAgent, type Model, type ModelRequest, type ModelResponse, pipeline, ToolRegistry } from "@/lib/runtime";
import { runChild } from "./child";
import { type Adapter, CUSTOMER_MESSAGE, type Stage, STAGES, type StepModel } from "./workload";

/**
 * Switchyard under test: the production write path, unchanged. Each conversation row exists
 * beforehand (the public API writes it in the same transaction as the run's first commit); the
 * timed part is `RunLoop.start`: the run's creation commit and one commit per step through the
 * real PgRunStore, with its events, spans, checkpoint and the run's cost and token totals.
 * Not included: the worker's claim loop (runs are driven directly, see docs/benchmarks.md).
 */
const agents = STAGES.map((name) =>
  defineAgent({ name, version: 1, instructions: `You are the ${name} stage of a support chain.`, modelTier: "fast" }),
);
const chain = pipeline({ name: "bench", stages: agents });
const tools = new ToolRegistry([]);

/** The Model port over the harness's instrumented model function. */
class HarnessModel implements Model {
  constructor(private readonly step: StepModel) {}

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const last = request.messages.at(-1);
    const text = await this.step(request.agent.name as Stage, typeof last?.content === "string" ? last.content : "");
    // A priced model name, so the run's cost accounting does real work.
    return { text, usage: { inputTokens: 120, outputTokens: 80 }, model: "gpt-4.1-mini", latencyMs: 0 };
  }
}

interface Ctx {
  db: Database;
}

const switchyard: Adapter<Ctx> = {
  name: "switchyard",

  async open(url, poolMax) {
    process.env.DATABASE_URL = url;
    process.env.DATABASE_POOL_MAX = String(poolMax);
    resetEnvForTests();
    await migrateDatabase();
    return { db: getDatabase() };
  },

  async prepare({ db }, count) {
    const ids = Array.from({ length: count }, () => newId("cnv"));
    for (let i = 0; i < ids.length; i += 500) {
      const rows = ids.slice(i, i + 500).map((id) => ({ id, status: "running" as const, chain: chain.name }));
      await db.insert(schema.conversations).values(rows);
    }
    return ids;
  },

  async converse({ db }, id, model) {
    const parts: RuntimeParts = { chains: [chain], tools, model: new HarnessModel(model) };
    const traceId = randomBytes(16).toString("hex");
    const loop = createRunLoop(db, parts, { newRun: { conversationId: id, traceId } });
    const state = await loop.start(chain.name, CUSTOMER_MESSAGE);
    if (state.status !== "completed") throw new Error(`switchyard: run ${state.runId} ended ${state.status}`);
    return typeof state.output === "string" ? state.output : JSON.stringify(state.output);
  },

  async eventBytes({ db }, ids) {
    const [row] = await queryRows<{ bytes: number }>(
      db,
      sql`select coalesce(sum(octet_length(e.data::text)), 0)::float8 as bytes
        from run_events e join runs r on r.id = e.run_id
        where r.conversation_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
    );
    return row?.bytes ?? 0;
  },

  async close() {
    await closeDatabase();
  },
};

await runChild(switchyard);
