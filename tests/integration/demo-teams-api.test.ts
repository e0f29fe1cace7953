import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getConversation } from "@/app/api/v1/conversations/[id]/route";
import { POST as createConversation } from "@/app/api/v1/conversations/route";
import * as schema from "@/db/schema";
import { demoChains, demoTools } from "@/lib/agents";
import { REFUND_APPROVAL_THRESHOLD } from "@/lib/agents/support-team";
import { generateApiKey, hashApiKey } from "@/lib/api/keys";
import { newId } from "@/lib/ids";
import { SimulatorModel } from "@/lib/providers/simulator";
import { runStateSchema, ToolRegistry } from "@/lib/runtime";
import { setupTestDatabase, testDb } from "../helpers/db";
import { runsOf, settledConversation, testWorker } from "../helpers/runtime";

vi.mock("@/lib/auth/session", async () => (await import("../helpers/session")).sessionMock);

setupTestDatabase();

const base = "http://localhost:3000/api/v1/conversations";
let key: string;
let worker: ReturnType<typeof testWorker>;

beforeAll(async () => {
  key = generateApiKey();
  await testDb()
    .insert(schema.apiKeys)
    .values({
      id: newId("key"),
      name: "demo teams",
      prefix: key.slice(0, 12),
      keyHash: hashApiKey(key),
    });
  worker = testWorker({
    chains: demoChains(),
    tools: new ToolRegistry(demoTools()),
    model: new SimulatorModel(),
  });
  await worker.start();
});
afterAll(() => worker.stop());

async function ask(message: string): Promise<string> {
  const res = await createConversation(
    new Request(base, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ message, customerId: "cus_demo" }),
    }),
  );
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await settledConversation(id);
  return id;
}

async function read(id: string) {
  const res = await getConversation(
    new Request(`${base}/${id}`, { headers: { authorization: `Bearer ${key}` } }),
    {
      params: Promise.resolve({ id }),
    },
  );
  expect(res.status).toBe(200);
  return (await res.json()) as {
    status: string;
    messages: { role: string; agent?: string; content: string }[];
  };
}

describe("the demo support team through the public API", () => {
  it("parks a refund over the threshold for a person's approval", async () => {
    const amount = REFUND_APPROVAL_THRESHOLD + 180;
    const id = await ask(`My order ORD-5531 never arrived. Please refund the full $${amount}.`);
    const body = await read(id);
    expect(body.status).toBe("escalated");
    expect(body.messages.map((m) => m.role)).toEqual(["customer"]);
    const [run] = await runsOf(id);
    expect(run?.status).toBe("waiting_for_human");
    const state = runStateSchema.parse(run!.checkpoint);
    expect(state.interruptions).toEqual([
      expect.objectContaining({
        kind: "tool_approval",
        tool: "refund",
        args: { orderId: "ORD-5531", amount },
      }),
    ]);
    const ledger = await testDb()
      .select()
      .from(schema.toolLedger)
      .where(eq(schema.toolLedger.runId, run!.id));
    expect(ledger).toEqual([]);
  });

  it("answers a question the knowledge base covers, citing the article", async () => {
    const id = await ask("How do I reset my password? I'm locked out.");
    const body = await read(id);
    expect(body.status).toBe("waiting_for_customer");
    const reply = body.messages.at(-1);
    expect(reply).toMatchObject({ role: "agent", agent: "technical" });
    expect(reply?.content).toContain("kb-101");
  });
});
