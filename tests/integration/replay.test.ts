import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { startReplayAction } from "@/app/(console)/evaluations/actions";
import * as schema from "@/db/schema";
import { demoTools } from "@/lib/agents";
import type { ReplayComparison } from "@/lib/replay/replay";
import { Replayer } from "@/lib/replay/replayer";
import { startConversation } from "@/lib/runs/conversations";
import type { RuntimeParts } from "@/lib/runs/runtime";
import { defineTool, type Model, type ModelRequest, type ToolDefinition } from "@/lib/runtime";
import { createTestUser, setupTestDatabase, testDb } from "../helpers/db";
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
