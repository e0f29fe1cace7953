import { z } from "zod";
import {
  type Chain,
  defineAgent,
  defineTool,
  type RunEvent,
  type RunEventType,
  RunLoop,
  type RunLoopDeps,
  ToolRegistry,
} from "@/lib/runtime";
import {
  FakeClock,
  MemoryRunStore,
  MemoryToolLedger,
  replayCheck,
  ScriptedModel,
  type ScriptedResponse,
  sequentialIds,
} from "@/lib/runtime/testing";

export const triageSchema = z.object({
  category: z.enum(["billing", "technical", "other"]),
  summary: z.string(),
});
export const replySchema = z.object({ reply: z.string().min(1) });

export const triage = defineAgent({
  name: "triage",
  version: 1,
  instructions: "Classify the customer's message.",
  modelTier: "fast",
  outputSchema: triageSchema,
});
export const writer = defineAgent({
  name: "writer",
  version: 1,
  instructions: "Write the reply.",
  outputSchema: replySchema,
});
export const router = defineAgent({
  name: "router",
  version: 1,
  instructions: "Route to the right specialist.",
  modelTier: "fast",
  handoffs: ["billing", "technical"],
});
export const billing = defineAgent({
  name: "billing",
  version: 1,
  instructions: "Handle billing questions.",
  tools: ["lookup_order", "refund"],
  handoffs: ["router"],
  outputSchema: replySchema,
});
export const technical = defineAgent({
  name: "technical",
  version: 1,
  instructions: "Handle technical questions.",
  tools: ["lookup_order"],
  handoffs: ["router"],
  outputSchema: replySchema,
});

/** Side effects observed by the fake tools, so tests can count them. */
export interface Effects {
  lookups: string[];
  refunds: Array<{ orderId: string; amount: number; key: string; repeated: boolean }>;
}

export function makeTools(effects: Effects): ToolRegistry {
  const lookupOrder = defineTool({
    name: "lookup_order",
    description: "Look up an order",
    argsSchema: z.object({ orderId: z.string() }),
    sideEffect: "read",
    execute: ({ orderId }) => {
      effects.lookups.push(orderId);
      return Promise.resolve({ orderId, total: 80 });
    },
  });
  const refund = defineTool({
    name: "refund",
    description: "Refund an order",
    argsSchema: z.object({ orderId: z.string(), amount: z.number().positive() }),
    sideEffect: "high_impact",
    requiresApproval: ({ amount }) => amount > 100,
    execute: ({ orderId, amount }, ctx) => {
      effects.refunds.push({ orderId, amount, key: ctx.idempotencyKey, repeated: ctx.repeated });
      return Promise.resolve({ refundId: `rf_${effects.refunds.length}` });
    },
  });
  return new ToolRegistry([lookupOrder, refund]);
}

/** Ports shared by every loop of a test, as processes share one database. */
export function harness(
  chains: Chain[],
  script: Record<string, ScriptedResponse[]>,
  extra: Partial<Pick<RunLoopDeps, "pricing" | "spendGate" | "invokeModel" | "redactor">> = {},
) {
  const clock = new FakeClock();
  const ledger = new MemoryToolLedger();
  const effects: Effects = { lookups: [], refunds: [] };
  const tools = makeTools(effects);
  // Every step of every run in these tests must replay from its log (lib/runtime/log-replay).
  const store = new MemoryRunStore(replayCheck({ chains, tools, pricing: extra.pricing, redactor: extra.redactor }));
  const ids = sequentialIds();
  /** A fresh loop (another "process") over the same store, ledger and clock. */
  const newLoop = (s: Record<string, ScriptedResponse[]>) => {
    const model = new ScriptedModel(s, { clock });
    return { model, loop: new RunLoop({ chains, model, store, ledger, tools, ids, clock, ...extra }) };
  };
  const { model, loop } = newLoop(script);
  return { clock, store, ledger, effects, tools, model, loop, newLoop };
}

export function typesOf(events: readonly RunEvent[]): RunEventType[] {
  return events.map((event) => event.type);
}

export function eventsOfType<T extends RunEventType>(
  events: readonly RunEvent[],
  type: T,
): Extract<RunEvent, { type: T }>[] {
  return events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type);
}

/** The log must be gap-free from 1 and the checkpoint must sit on its last event. */
export function expectGapFree(events: readonly RunEvent[]): boolean {
  return events.every((event, i) => event.seq === i + 1);
}
