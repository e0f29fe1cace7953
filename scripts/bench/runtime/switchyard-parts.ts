import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { newId } from "@/lib/ids";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { defineAgent, type Model, type ModelRequest, type ModelResponse, pipeline, ToolRegistry } from "@/lib/runtime";
import { type Stage, STAGES, type StepModel } from "./workload";

/** The benchmark workload as a Switchyard chain: a pipeline of the four stages. */
const agents = STAGES.map((name) =>
  defineAgent({ name, version: 1, instructions: `You are the ${name} stage of a support chain.`, modelTier: "fast" }),
);
export const benchChain = pipeline({ name: "bench", stages: agents });
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

export function benchParts(model: StepModel): RuntimeParts {
  return { chains: [benchChain], tools, model: new HarnessModel(model) };
}

/** Conversation rows for `count` runs (the public API writes them before a run's first commit). */
export async function createConversations(db: Database, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId("cnv"));
  for (let i = 0; i < ids.length; i += 500) {
    const rows = ids.slice(i, i + 500).map((id) => ({ id, status: "running" as const, chain: benchChain.name }));
    await db.insert(schema.conversations).values(rows);
  }
  return ids;
}
