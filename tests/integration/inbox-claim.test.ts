import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import type { Actor } from "@/lib/auth/authorize";
import { claimEscalation, releaseEscalation } from "@/lib/dal/escalation-actions";
import { AppError } from "@/lib/errors";
import { auditRowsBy, createTestUser, setupTestDatabase, testDb } from "../helpers/db";
import { converse, escalationsOf, inboxParts } from "../helpers/inbox";

setupTestDatabase();

const parts = inboxParts();

async function lead(n: number): Promise<Actor> {
  const user = await createTestUser("support_lead");
  const name = `Lead ${n}`;
  await testDb().update(schema.users).set({ name }).where(eq(schema.users.id, user.id));
  return { id: user.id, email: user.email, name, role: "support_lead" };
}

async function newEscalation() {
  const { conversationId } = await converse(parts, "I want to talk to a human, please.");
  const [row] = await escalationsOf(conversationId);
  return row!;
}

async function escalationRow(id: string) {
  const [row] = await testDb()
    .select()
    .from(schema.escalations)
    .where(eq(schema.escalations.id, id));
  return row!;
}

describe("claiming an escalation is exclusive", () => {
  it("20 concurrent claims: exactly one wins and the others are told who has it", async () => {
    const escalation = await newEscalation();
    const leads = await Promise.all(Array.from({ length: 20 }, (_, i) => lead(i + 1)));

    const results = await Promise.allSettled(leads.map((l) => claimEscalation(l, escalation.id)));

    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [leads[i]!] : []));
    expect(won).toHaveLength(1);
    const winner = won[0]!;
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    expect(refusals).toHaveLength(19);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({
        code: "conflict",
        message: `${winner.name} has already claimed this.`,
      });
    }
    expect(await escalationRow(escalation.id)).toMatchObject({
      status: "claimed",
      claimedBy: winner.id,
    });
    const claims = await Promise.all(leads.map((l) => auditRowsBy(l.id)));
    expect(claims.flat().map((a) => [a.action, a.actorId])).toEqual([
      ["escalation.claim", winner.id],
    ]);
  });

  it("only the holder releases; then another lead can claim it", async () => {
    const escalation = await newEscalation();
    const [first, second] = [await lead(21), await lead(22)];
    await claimEscalation(first, escalation.id);
    // Claiming one's own claim again changes nothing.
    await expect(claimEscalation(first, escalation.id)).resolves.toEqual({ claimedBy: first.name });
    await expect(releaseEscalation(second, escalation.id)).rejects.toMatchObject({
      code: "conflict",
      message: `${first.name} has claimed this.`,
    });

    await releaseEscalation(first, escalation.id);
    expect(await escalationRow(escalation.id)).toMatchObject({ status: "open", claimedBy: null });
    await expect(claimEscalation(second, escalation.id)).resolves.toEqual({
      claimedBy: second.name,
    });
    expect((await auditRowsBy(first.id)).map((a) => a.action).sort()).toEqual([
      "escalation.claim",
      "escalation.release",
    ]);
  });

  it("refuses to claim an unknown escalation", async () => {
    const someone = await lead(23);
    await expect(claimEscalation(someone, "esc_0000000000nothinghere0000")).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
