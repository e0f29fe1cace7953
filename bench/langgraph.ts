import { Annotation, END, type LangGraphRunnableConfig, START, StateGraph } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import { runChild } from "../scripts/bench/runtime/child";
import { type Adapter, CUSTOMER_MESSAGE, type Stage, STAGES, type StepModel } from "../scripts/bench/runtime/workload";

/**
 * LangGraph JS with its PostgreSQL checkpointer, configured for the same guarantee as Switchyard:
 * `durability: "sync"` makes every super-step wait for its checkpoint before the next one starts
 * (the default, "async", lets the next step run while the write is in flight). The graph is the
 * shared workload: four nodes in a line, each calling the harness's model once.
 */
const State = Annotation.Root({
  input: Annotation<string>(),
  outputs: Annotation<Partial<Record<Stage, string>>>({
    reducer: (a, b) => ({ ...a, ...b }),
    default: () => ({}),
  }),
});

// The model of each running conversation, by thread id: nodes are shared by all conversations.
const models = new Map<string, StepModel>();

function node(stage: Stage, previous: Stage | undefined) {
  return async (state: typeof State.State, config: LangGraphRunnableConfig) => {
    const model = models.get(String(config.configurable?.thread_id));
    if (!model) throw new Error(`no model for thread ${String(config.configurable?.thread_id)}`);
    const input = previous ? (state.outputs[previous] ?? "") : state.input;
    return { outputs: { [stage]: await model(stage, input) } };
  };
}

function buildGraph(checkpointer: PostgresSaver) {
  const [triage, research, respond, review] = STAGES;
  return new StateGraph(State)
    .addNode(triage, node(triage, undefined))
    .addNode(research, node(research, triage))
    .addNode(respond, node(respond, research))
    .addNode(review, node(review, respond))
    .addEdge(START, triage)
    .addEdge(triage, research)
    .addEdge(research, respond)
    .addEdge(respond, review)
    .addEdge(review, END)
    .compile({ checkpointer });
}

interface Ctx {
  pool: pg.Pool;
  graph: ReturnType<typeof buildGraph>;
  durability: "sync" | "async";
}

const durability = process.env.LANGGRAPH_DURABILITY === "async" ? "async" : "sync";

const langgraph: Adapter<Ctx> = {
  name: durability === "sync" ? "langgraph" : "langgraph-async",

  async open(url, poolMax) {
    const pool = new pg.Pool({ connectionString: url, max: poolMax });
    const checkpointer = new PostgresSaver(pool);
    await checkpointer.setup();
    return { pool, graph: buildGraph(checkpointer), durability };
  },

  prepare(_ctx, count, label) {
    const tag = `${label}-${process.pid}-${Date.now()}`;
    return Promise.resolve(Array.from({ length: count }, (_, i) => `thread-${tag}-${i}`));
  },

  async converse(ctx, id, model) {
    models.set(id, model);
    try {
      const result = await ctx.graph.invoke(
        { input: CUSTOMER_MESSAGE },
        { configurable: { thread_id: id }, durability: ctx.durability },
      );
      return result.outputs.review ?? "";
    } finally {
      models.delete(id);
    }
  },

  async close(ctx) {
    await ctx.pool.end();
  },
};

await runChild(langgraph);
