import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { startReplayAction } from "@/app/(console)/evaluations/actions";
import * as schema from "@/db/schema";
import { demoTools } from "@/lib/agents";
import { type ReplayComparison, replayConversation } from "@/lib/replay/replay";
import { Replayer } from "@/lib/replay/replayer";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import {
  defineAgent,
  defineTool,
  type Model,
  type ModelRequest,
  pipeline,
  type SpendGate,
  type SpendRequest,
  type ToolDefinition,
  ToolRegistry,
} from "@/lib/runtime";
import { z } from "zod";
import { createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { converse } from "../helpers/inbox";
import { insertVersion, rolloutParts } from "../helpers/rollouts";
import { settledConversation, testWorker } from "../helpers/runtime";
import { signInAs } from "../helpers/session";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

setupTestDatabase();

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

const LEAKED_KEY = "sk-replayleak0123456789abcdef";

/** A daily-budget gate that records every request and refuses them all once told to. */
class SwitchGate implements SpendGate {
  readonly requests: SpendRequest[] = [];
  refuse = false;
  reserve(request: SpendRequest) {
    this.requests.push(request);
    if (this.refuse) return Promise.resolve({ ok: false as const, scope: "daily:global", spentUsd: 5, limitUsd: 5 });
    return Promise.resolve({ ok: true as const, ticket: null });
  }
  settle() {
    return Promise.resolve();
  }
}

/** The demo tools, with every real refund counted. */
function countingTools() {
  const refunds: unknown[] = [];
  const tools = demoTools().map((tool): ToolDefinition =>
    tool.name === "refund"
      ? defineTool({
          ...tool,
          execute: (args, ctx) => {
            refunds.push(args);
            return tool.execute(args, ctx);
          },
        })
      : tool,
  );
  return { tools, refunds };
}

describe("replay", () => {
  it("re-runs a conversation that issued a refund against a candidate without issuing another, and compares both", async () => {
    const { tools, refunds } = countingTools();
    const parts = rolloutParts(tools);
    const worker = testWorker(parts);
    await worker.start();
    const { id } = await startConversation(
      testDb(),
      { message: "Please refund $40 on order ORD-1234, the item arrived damaged.", apiKeyId: null },
      parts,
    );
    await settledConversation(id);
    await worker.stop();
    expect(refunds).toHaveLength(1);

    await insertVersion("billing", 2, "You handle billing questions. Keep answers to one sentence; use the refund tool for refunds.");
    const engineer = await createTestUser("engineer");
    signInAs(engineer.id);
    const started = await startReplayAction(null, form({ version: "billing@2", conversationId: id }));
    expect(started).toMatchObject({ ok: true, data: { count: 1 } });

    // Every model call of the replay (agents and judge) goes through the invoker at batch priority.
    const priorities = new Set<string>();
    const replayParts: RuntimeParts = {
      // A getter like the original: the replayer loads billing@2 into the catalog as it starts.
      get chains() {
        return parts.chains;
      },
      tools: parts.tools,
      model: parts.model,
      versions: parts.versions,
      invokeModelFor: (priority: "live" | "batch") => (model: Model, request: ModelRequest) => {
        priorities.add(priority);
        return model.generate(request);
      },
    };
    expect(await new Replayer(testDb(), replayParts).drain()).toBe(1);
    expect(priorities).toEqual(new Set(["batch"]));
    expect(refunds).toHaveLength(1);
    const refundRows = await testDb().select().from(schema.toolLedger).where(eq(schema.toolLedger.tool, "refund"));
    expect(refundRows).toHaveLength(1);

    const [replay] = await testDb().select().from(schema.replays).where(eq(schema.replays.conversationId, id));
    expect(replay?.status).toBe("done");
    const result = replay!.result as ReplayComparison;
    expect(result).toMatchObject({ agent: "billing", candidateVersion: 2, originalVersion: 1 });
    const [turn] = result.turns;
    expect(turn?.original.reply).toMatch(/refund of \$40 .* issued \(reference rf_/);
    expect(turn?.original.toolCalls).toContain("refund");
    // The candidate asked for the same refund and got the recorded answer: same reference, no new effect.
    expect(turn?.replay.toolCalls).toContain("refund");
    expect(turn?.replay.unrecordedCalls).toBe(0);
    expect(turn?.replay.reply).toContain(/reference (rf_\w+)/.exec(turn!.original.reply ?? "")![1]);
    expect(turn?.replay.handoffs).toEqual(turn?.original.handoffs);
    expect(turn?.replay.score).toEqual(expect.any(Number));
  });

  it("governs the replay like a live run: secrets redacted, calls under the daily budgets", async () => {
    const echo = defineAgent({ name: "replay_echo", version: 1, instructions: "Answer.", outputSchema: z.object({ reply: z.string() }) });
    // A model that leaks a key-shaped secret into every answer.
    const leaky: Model = {
      generate: () =>
        Promise.resolve({ output: { reply: `use ${LEAKED_KEY}` }, usage: { inputTokens: 10, outputTokens: 5 }, model: "simulator/fast", latencyMs: 1 }),
    };
    const gate = new SwitchGate();
    const parts: RuntimeParts = {
      chains: [pipeline({ name: "replay_echo", stages: [echo] })],
      tools: new ToolRegistry([]),
      model: leaky,
      pricing: { priceOf: () => ({ inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 1 }), modelFor: (tier) => `simulator/${tier}` },
      spendGate: gate,
    };
    const { conversationId, state } = await converse(parts, "what is the key?", { chain: "replay_echo" });
    expect(state.output).toEqual({ reply: "use [redacted]" });
    const target = { conversationId, agent: "replay_echo", candidateVersion: 1 };

    gate.requests.length = 0;
    const [turn] = (await replayConversation(testDb(), parts, target)).turns;
    expect(turn?.replay.reply).toBe("use [redacted]");
    expect(gate.requests.map((r) => r.agent)).toEqual(["replay_echo"]);

    // A daily limit that pauses the agent pauses its replay too.
    gate.refuse = true;
    const [refused] = (await replayConversation(testDb(), parts, target)).turns;
    expect(refused?.replay).toMatchObject({ status: "escalated", reply: null, costUsd: 0 });
  });

  it("refuses a support lead and needs a conversation or a filter", async () => {
    await insertVersion("technical", 2, "You solve product problems; search the knowledge base and cite the article.").catch(() => undefined);
    const lead = await createTestUser("support_lead");
    signInAs(lead.id);
    expect(await startReplayAction(null, form({ version: "technical@2", filter: "all_24h" }))).toMatchObject({ ok: false, code: "forbidden" });
    const engineer = await createTestUser("engineer");
    signInAs(engineer.id);
    expect(await startReplayAction(null, form({ version: "technical@2" }))).toMatchObject({ ok: false, code: "invalid" });
  });
});
