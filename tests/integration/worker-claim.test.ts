import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { startConversation } from "@/lib/runs/conversations";
import { queryRows } from "@/lib/runs/sql";
import { relaxedCommit } from "@/lib/runs/worker";
import { setupTestDatabase, testDb } from "../helpers/db";
import { instantParts, runsOf, settledConversation, testWorker } from "../helpers/runtime";

setupTestDatabase();

const setting = async () => {
  const [row] = await queryRows<{ mode: string }>(testDb(), sql`select current_setting('synchronous_commit') as mode`);
  return row!.mode;
};

describe("the worker's claim commits without waiting for its flush", () => {
  it("relaxes only its own transaction: every later commit on the pool is durable again", async () => {
    expect(await setting()).toBe("on");
    const [claim] = await queryRows<{ mode: string }>(
      testDb(),
      sql`${relaxedCommit} select current_setting('synchronous_commit') as mode where exists (select from relaxed)`,
    );
    expect(claim!.mode).toBe("off");
    // The same pooled connections serve the step commits next: none may have kept `off`.
    const after = await Promise.all(Array.from({ length: 16 }, setting));
    expect(new Set(after)).toEqual(new Set(["on"]));
  });

  it("still claims and settles runs", async () => {
    const parts = instantParts();
    const worker = testWorker(parts);
    await worker.start();
    try {
      const { id } = await startConversation(testDb(), { message: "my sync failed with an error", apiKeyId: null }, parts);
      await settledConversation(id);
      const [run] = await runsOf(id);
      expect(run).toMatchObject({ claims: 1, leaseOwner: null });
      expect(run!.status).not.toBe("running");
    } finally {
      await worker.stop();
    }
  });
});
