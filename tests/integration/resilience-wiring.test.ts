import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { backfillDemoHistory } from "@/lib/runs/history";
import { defaultRuntimeParts } from "@/lib/runs/default-parts";
import { RunWorker } from "@/lib/runs/worker";
import { startConversation } from "@/lib/runs/conversations";
import { setupTestDatabase, testDb } from "../helpers/db";
import { settledConversation } from "../helpers/runtime";

setupTestDatabase();

describe("the app's runtime parts with breakers and the rate limiter", () => {
  it(
    "backfills history (tools run inside a transaction) without waiting on the breaker store",
    { timeout: 60_000 },
    async () => {
      // On PGlite the breaker store shares the one connection: guarded tools inside the backfill's
      // transaction would wait for themselves. The backfill must get the plain tools.
      const result = await backfillDemoHistory(testDb(), {
        conversations: 12,
        hours: 2,
        parts: defaultRuntimeParts(),
      });
      expect(result.conversations).toBe(12);
      const tools = await testDb()
        .select({ id: schema.runEvents.runId })
        .from(schema.runEvents)
        .where(eq(schema.runEvents.type, "tool_call"));
      expect(tools.length).toBeGreaterThan(0);
    },
  );

  it(
    "puts a worker's tool calls behind their breakers and its model calls behind the limiter",
    { timeout: 60_000 },
    async () => {
      const parts = defaultRuntimeParts();
      const worker = new RunWorker({ db: testDb(), parts, concurrency: 2, pollMs: 20 });
      await worker.start();
      try {
        const { id } = await startConversation(
          testDb(),
          // A product problem the model router keeps on the standard tier (a plain password
          // question would be routed to the fast one).
          { message: "My sync failed with an error on my laptop this morning.", apiKeyId: null },
          parts,
        );
        await settledConversation(id, 30_000);
      } finally {
        await worker.stop();
      }
      const rows = await testDb()
        .select({ key: schema.breakers.key })
        .from(schema.breakers)
        .where(
          inArray(schema.breakers.key, [
            "tool:kb_search",
            "agent:technical",
            "model:simulator/standard",
          ]),
        );
      expect(rows.map((r) => r.key).sort()).toEqual([
        "agent:technical",
        "model:simulator/standard",
        "tool:kb_search",
      ]);
      const grants = await testDb()
        .select()
        .from(schema.rateLimitGrants)
        .where(eq(schema.rateLimitGrants.key, "model:simulator/standard"));
      expect(grants.length).toBeGreaterThan(0);
      expect(grants.every((g) => g.priority === 0 && g.tokens > 0)).toBe(true);
    },
  );
});
