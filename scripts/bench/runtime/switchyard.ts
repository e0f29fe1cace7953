import { sql } from "drizzle-orm";
import { closeDatabase, type Database, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { resetEnvForTests } from "@/lib/env";
import { newTraceId } from "@/lib/ids";
import { createRunLoop } from "@/lib/runs/runtime";
import { queryRows } from "@/lib/runs/sql";
import { runChild } from "./child";
import { benchChain, benchParts, createConversations } from "./switchyard-parts";
import { type Adapter, CUSTOMER_MESSAGE } from "./workload";

/**
 * Switchyard under test: the production write path, unchanged. Each conversation row exists
 * beforehand; the timed part is `RunLoop.start`: one commit per step through the real PgRunStore
 * (the run's creation rides with the first), with its events, spans and the run's cost and token
 * totals, and the checkpoint where production stores it (creation, every 8th step, park, settlement).
 * Not included: the worker's claim loop (runs are driven directly, see docs/benchmarks.md).
 */
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

  prepare: ({ db }, count) => createConversations(db, count),

  async converse({ db }, id, model) {
    const traceId = newTraceId();
    const loop = createRunLoop(db, benchParts(model), { newRun: { conversationId: id, traceId } });
    const state = await loop.start(benchChain.name, CUSTOMER_MESSAGE);
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
