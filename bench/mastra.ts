import { Mastra } from "@mastra/core/mastra";
import { createStep, createWorkflow } from "@mastra/core/workflows";
import { PostgresStore } from "@mastra/pg";
import { z } from "zod";
import { runChild } from "../scripts/bench/runtime/child";
import { type Adapter, CUSTOMER_MESSAGE, STAGES, type StepModel } from "../scripts/bench/runtime/workload";

/**
 * Mastra with its PostgreSQL store: the shared workload as a workflow of four steps. Mastra
 * persists the workflow run's snapshot to the store as the run progresses, which is its durable
 * state; its optional AI tracing (observability) is left off, as it is by default.
 */
const text = z.object({ text: z.string() });

// The model of each running conversation, by workflow run id: steps are shared by all runs.
const models = new Map<string, StepModel>();

const steps = STAGES.map((stage) =>
  createStep({
    id: stage,
    inputSchema: text,
    outputSchema: text,
    execute: async ({ inputData, runId }) => {
      const model = models.get(runId);
      if (!model) throw new Error(`no model for run ${runId}`);
      return { text: await model(stage, inputData.text) };
    },
  }),
);

function buildWorkflow() {
  const [triage, research, respond, review] = steps;
  return createWorkflow({ id: "bench", inputSchema: text, outputSchema: text })
    .then(triage!)
    .then(research!)
    .then(respond!)
    .then(review!)
    .commit();
}

interface Ctx {
  mastra: Mastra;
  storage: PostgresStore;
}

const mastra: Adapter<Ctx> = {
  name: "mastra",

  async open(url, poolMax) {
    const storage = new PostgresStore({ connectionString: url, max: poolMax });
    await storage.init();
    const instance = new Mastra({ workflows: { bench: buildWorkflow() }, storage, logger: false });
    return { mastra: instance, storage };
  },

  prepare(_ctx, count, label) {
    const tag = `${label}-${process.pid}-${Date.now()}`;
    return Promise.resolve(Array.from({ length: count }, (_, i) => `run-${tag}-${i}`));
  },

  async converse(ctx, id, model) {
    models.set(id, model);
    try {
      const run = await ctx.mastra.getWorkflow("bench").createRunAsync({ runId: id });
      const result = await run.start({ inputData: { text: CUSTOMER_MESSAGE } });
      if (result.status !== "success") throw new Error(`mastra: run ${id} ended ${result.status}`);
      return result.result.text;
    } finally {
      models.delete(id);
    }
  },

  async close(ctx) {
    await ctx.storage.close();
  },
};

await runChild(mastra);
