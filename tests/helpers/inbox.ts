import { eq } from "drizzle-orm";
import { z } from "zod";
import * as schema from "@/db/schema";
import { supportChain, supportTools } from "@/lib/agents/support-team";
import { SimulatorModel } from "@/lib/providers/simulator";
import { startConversation } from "@/lib/runs/conversations";
import { createRunLoop, type RuntimeParts } from "@/lib/runs/runtime";
import {
  type Chain,
  defineAgent,
  type EscalationReason,
  type Model,
  type ModelRequest,
  type ModelResponse,
  mesh,
  type PeerInput,
  pipeline,
  runStateSchema,
  supervisor,
  ToolRegistry,
} from "@/lib/runtime";
import { assembleChain } from "@/lib/runtime/chain";
import { testDb } from "./db";
import { runsOf } from "./runtime";

/** A router and a specialist that may hand the conversation to each other (handoff loops). */
const pingRouter = defineAgent({
  name: "ping_router",
  version: 1,
  instructions: "Route.",
  handoffs: ["ping_billing"],
});
const pingBilling = defineAgent({
  name: "ping_billing",
  version: 1,
  instructions: "Bill.",
  handoffs: ["ping_router"],
  outputSchema: z.object({ reply: z.string() }),
});
export const pingPongChain = supervisor({
  name: "ping_pong",
  router: pingRouter,
  specialists: [pingBilling],
  limits: { maxHandoffs: 6 },
});

/**
 * Two peers that keep signalling each other (a hop bound): their outputs are signals for each
 * other, nothing to tell a customer.
 */
const signalSchema = z.object({ signal: z.string(), round: z.number().int() });
const hopScout = defineAgent({ name: "hop_scout", version: 1, instructions: "Signal.", outputSchema: signalSchema });
const hopAnalyst = defineAgent({ name: "hop_analyst", version: 1, instructions: "Signal.", outputSchema: signalSchema });
export const hopMeshChain = mesh({
  name: "hop_mesh",
  peers: [
    { agent: hopScout, subscribes: ["task", "pong"], publishes: "ping", key: (o) => `r${signalSchema.parse(o).round}` },
    { agent: hopAnalyst, subscribes: ["ping"], publishes: "pong" },
  ],
  limits: { maxHops: 3 },
});

/** A one-stage pipeline that completes on an intermediate result: nothing to tell the customer. */
const silentStage = defineAgent({ name: "silent_stage", version: 1, instructions: "Signal.", outputSchema: signalSchema });
export const silentPipeline = pipeline({ name: "silent_pipeline", stages: [silentStage] });

/**
 * A runtime double for criteria other engineers' layers raise (retries exhausted, budget
 * exhausted, the fallback ladder's human rung): its one agent names the reason and the chain
 * escalates with it, exactly as a pattern transition does.
 */
const reasonAgent = defineAgent({
  name: "reason_double",
  version: 1,
  instructions: "Name the escalation reason.",
  outputSchema: z.object({ reason: z.string(), detail: z.string() }),
});
export const escalateWithChain: Chain = assembleChain(
  { name: "escalate_with" },
  {
    pattern: "pipeline",
    agents: [reasonAgent],
    entry: (input) => [{ agent: reasonAgent.name, role: "stage", index: 0, input }],
    onOutput: (_state, _thread, output) => {
      const { reason, detail } = output as { reason: EscalationReason; detail: string };
      return { kind: "escalate", reason, detail };
    },
  },
);

/**
 * Plays the doubles above deterministically and leaves the support team to `fallback`: the ping
 * agents always hand over to each other; the reason double answers with the JSON it was sent.
 */
export class DoublesModel implements Model {
  constructor(private readonly fallback: Model = new SimulatorModel()) {}

  generate(request: ModelRequest): Promise<ModelResponse> {
    const base = { usage: { inputTokens: 12, outputTokens: 4 }, model: "doubles", latencyMs: 1 };
    const name = request.agent.name;
    if (name === pingRouter.name || name === pingBilling.name) {
      const to = name === pingRouter.name ? pingBilling.name : pingRouter.name;
      const call = { id: `call_${to}`, name: `transfer_to_${to}`, args: { context: "not mine" } };
      return Promise.resolve({ ...base, toolCalls: [call] });
    }
    if (name === silentStage.name) return Promise.resolve({ ...base, output: { signal: "noted", round: 1 } });
    if (name === hopScout.name || name === hopAnalyst.name) {
      const first = request.messages[0];
      const { key } = JSON.parse(first?.role === "user" ? first.content : "{}") as PeerInput;
      const round = Number(key.replace(/\D/g, "") || 0) + 1;
      return Promise.resolve({ ...base, output: { signal: "price pressure up", round } });
    }
    if (name === reasonAgent.name) {
      const first = request.messages[0];
      const text = first && first.role === "user" ? first.content : "{}";
      return Promise.resolve({ ...base, output: JSON.parse(text) as unknown });
    }
    return this.fallback.generate(request);
  }
}

/** The support team and the doubles above on `model` (the instant simulator by default). */
export function inboxParts(model: Model = new DoublesModel()): RuntimeParts {
  return {
    chains: [supportChain, pingPongChain, escalateWithChain, hopMeshChain, silentPipeline],
    tools: new ToolRegistry(supportTools),
    model,
  };
}

/** Starts a console conversation and drives its first run to a stop in this process. */
export async function converse(
  parts: RuntimeParts,
  message: string,
  opts: { chain?: string; apiKeyId?: string | null } = {},
) {
  const { id } = await startConversation(
    testDb(),
    { message, apiKeyId: opts.apiKeyId ?? null, chain: opts.chain },
    parts,
  );
  const [run] = await runsOf(id);
  const state = await createRunLoop(testDb(), parts).run(run!.id);
  return { conversationId: id, runId: run!.id, state };
}

export async function escalationsOf(conversationId: string) {
  return testDb()
    .select()
    .from(schema.escalations)
    .where(eq(schema.escalations.conversationId, conversationId))
    .orderBy(schema.escalations.createdAt);
}

export async function checkpointOf(runId: string) {
  const [run] = await testDb().select().from(schema.runs).where(eq(schema.runs.id, runId));
  return runStateSchema.parse(run!.checkpoint);
}

export const REFUND_MESSAGE =
  "Please refund $250 on order ORD-7781, the standing desk arrived broken.";
