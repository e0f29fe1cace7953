import "server-only";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { db, schema } from "@/db";
import type { Actor } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { mayHandBack } from "@/lib/escalations/policy";
import { newId } from "@/lib/ids";
import { RUNS_CHANNEL, transcriptOf, type Tx } from "@/lib/runs/conversations";
import { createRunLoop, type RuntimeParts } from "@/lib/runs/runtime";
import { defaultRuntimeParts } from "@/lib/runs/default-parts";
import { ConcurrencyConflict, ConfigurationError, type RunState } from "@/lib/runtime";
import { recordAudit } from "./audit";

// The inbox's mutations. Each takes the actor formAction() authorized, runs in ONE transaction
// with its audit row, and (except claiming) requires the caller to hold the claim, so two leads
// never act on one conversation at once. A handed-back escalation stays with its lead for the
// follow-up (a reply, resolving), but leaves the queue.

export const escalationIdSchema = z.string().regex(/^esc_[0-9a-z]{26}$/, "Unknown escalation.");
export const noteSchema = z
  .string()
  .trim()
  .min(1, "Write a note.")
  .max(2000, "At most 2,000 characters.");
export const customerReplySchema = z
  .string()
  .trim()
  .min(1, "Write a reply.")
  .max(8000, "At most 8,000 characters.");

/**
 * Claims an escalation with one conditional UPDATE, so of any number of leads claiming at once
 * exactly one wins; the others learn who has it. Claiming one's own claim again is a no-op.
 */
export async function claimEscalation(actor: Actor, id: string): Promise<{ claimedBy: string }> {
  return db().transaction(async (tx) => {
    const e = schema.escalations;
    const [won] = await tx
      .update(e)
      .set({ status: "claimed", claimedBy: actor.id, claimedAt: new Date() })
      .where(and(eq(e.id, id), eq(e.status, "open")))
      .returning({ id: e.id });
    if (won) {
      await recordAudit(tx, actor, {
        action: "escalation.claim",
        targetType: "escalation",
        targetId: id,
        before: { status: "open" },
        after: { status: "claimed", claimedBy: actor.id },
      });
      return { claimedBy: actor.name };
    }
    const current = await currentHolder(tx, id);
    if (current.status === "claimed" && current.claimedById === actor.id) {
      return { claimedBy: actor.name };
    }
    if (current.status === "claimed") {
      throw new AppError(
        "conflict",
        `${current.claimedBy ?? "Another lead"} has already claimed this.`,
      );
    }
    throw new AppError("conflict", `This escalation is ${statusWords[current.status]}.`);
  });
}

/** Gives the escalation back to the queue. */
export async function releaseEscalation(actor: Actor, id: string): Promise<void> {
  await db().transaction(async (tx) => {
    await lockClaimed(tx, actor, id);
    await setStatus(tx, id, { status: "open", claimedBy: null, claimedAt: null });
    await audit(tx, actor, id, "escalation.release", { status: "open" });
  });
}

/** A person's reply to the customer: a `human` message, visible through the public API. */
export async function replyToCustomer(actor: Actor, id: string, content: string): Promise<void> {
  await db().transaction(async (tx) => {
    const row = await lockClaimed(tx, actor, id, { followUp: true });
    const messageId = newId("msg");
    await tx.insert(schema.messages).values({
      id: messageId,
      conversationId: row.conversationId,
      role: "human",
      author: actor.id,
      content,
    });
    await tx
      .update(schema.conversations)
      .set({ updatedAt: new Date() })
      .where(eq(schema.conversations.id, row.conversationId));
    await audit(tx, actor, id, "escalation.reply", { messageId });
  });
}

/**
 * Approves or rejects a parked tool call. The decision is one run commit (RunLoop.decide) in this
 * transaction; the approved call then runs at the run's next step, through the tool ledger with
 * its idempotency key, so it executes once however often the approval is sent. A rejection is
 * answered to the agent in place of the effect. Once nothing else waits, the agents continue.
 */
export async function decideToolCall(
  actor: Actor,
  input: { id: string; interruptionId: string; approved: boolean; note?: string },
  parts: RuntimeParts = defaultRuntimeParts(),
): Promise<{ runStatus: RunState["status"] }> {
  return db().transaction(async (tx) => {
    const row = await lockClaimed(tx, actor, input.id);
    const decision = {
      interruptionId: input.interruptionId,
      approved: input.approved,
      note: input.note,
      by: actor.email,
    };
    const state = await runCommit(() => createRunLoop(tx, parts).decide(row.runId, decision));
    if (state.status === "running") await returnToAgents(tx, row);
    await audit(tx, actor, input.id, input.approved ? "escalation.approve" : "escalation.reject", {
      interruptionId: input.interruptionId,
      note: input.note ?? null,
      runStatus: state.status,
    });
    return { runStatus: state.status };
  });
}

/**
 * Hands an escalated conversation back to the agents: the same run continues from its checkpoint
 * (RunLoop.handBack) with the conversation as it stands now and the lead's note as its input; a
 * worker picks it up when this transaction commits and its reply reaches the customer.
 */
export async function handBackEscalation(
  actor: Actor,
  input: { id: string; note: string },
  parts: RuntimeParts = defaultRuntimeParts(),
): Promise<void> {
  await db().transaction(async (tx) => {
    const row = await lockClaimed(tx, actor, input.id);
    if (row.kind !== "escalated") {
      throw new AppError(
        "conflict",
        "Approve or reject the pending request; the agents then continue.",
      );
    }
    if (!mayHandBack(row.kind, row.reason)) {
      throw new AppError(
        "conflict",
        "The agents cannot continue this conversation; reply to the customer and resolve it.",
      );
    }
    const transcript = await transcriptOf(tx, row.conversationId);
    const agentInput = `${transcript}\n\n${HAND_BACK_NOTE_MARKER}${input.note}`;
    const request = { note: input.note, input: agentInput, by: actor.email };
    await runCommit(() => createRunLoop(tx, parts).handBack(row.runId, request));
    await returnToAgents(tx, row);
    await audit(tx, actor, input.id, "escalation.hand_back", { note: input.note });
  });
}

/** Precedes a lead's note in the agents' input after a hand-back. */
export const HAND_BACK_NOTE_MARKER =
  "Note from the support team, who handed the conversation back to you:\n";

/**
 * Closes the escalation and the conversation. A pending tool call must be decided first, and
 * after a decision or hand-back the agents must have answered (their run is no longer running).
 */
export async function resolveEscalation(actor: Actor, id: string): Promise<void> {
  await db().transaction(async (tx) => {
    const row = await lockClaimed(tx, actor, id, { followUp: true });
    // After a hand-back the agents may have escalated again: closing the conversation from the
    // old entry would leave the new one (a pending approval, say) open in a resolved conversation.
    const e = schema.escalations;
    const [newer] = await tx
      .select({ id: e.id })
      .from(e)
      .where(and(eq(e.conversationId, row.conversationId), ne(e.id, id), inArray(e.status, ["open", "claimed"])))
      .limit(1);
    if (newer) {
      throw new AppError(
        "conflict",
        "The agents escalated this conversation again; work its newer inbox entry instead.",
      );
    }
    const [run] = await tx
      .select({ status: schema.runs.status })
      .from(schema.runs)
      .where(eq(schema.runs.id, row.runId))
      .for("update");
    if (run?.status === "waiting_for_human") {
      throw new AppError("conflict", "Approve or reject the pending request before resolving.");
    }
    if (run?.status === "running") {
      throw new AppError(
        "conflict",
        "The agents are still answering; resolve once they have replied.",
      );
    }
    await setStatus(tx, id, { status: "resolved", resolvedBy: actor.id, resolvedAt: new Date() });
    await tx
      .update(schema.conversations)
      .set({ status: "resolved", updatedAt: new Date() })
      .where(eq(schema.conversations.id, row.conversationId));
    await audit(tx, actor, id, "escalation.resolve", { status: "resolved" });
  });
}

const statusWords = {
  open: "open",
  claimed: "claimed",
  resolved: "already resolved",
  handed_back: "already back with the agents",
} as const;

type EscalationRow = typeof schema.escalations.$inferSelect;

/**
 * Locks the row for this transaction and checks the caller holds the claim. `followUp` also
 * accepts an escalation the caller handed back (approved a refund, say): they may still reply
 * and resolve once the agents have answered.
 */
async function lockClaimed(
  tx: Tx,
  actor: Actor,
  id: string,
  { followUp = false } = {},
): Promise<EscalationRow> {
  const [row] = await tx
    .select()
    .from(schema.escalations)
    .where(eq(schema.escalations.id, id))
    .for("update");
  if (!row) throw new AppError("not_found", "No such escalation.");
  const mine = row.claimedBy === actor.id;
  if (followUp && mine && row.status === "handed_back") return row;
  if (row.status !== "claimed" && row.status !== "open") {
    throw new AppError("conflict", `This escalation is ${statusWords[row.status]}.`);
  }
  if (row.status === "open") throw new AppError("conflict", "Claim this escalation first.");
  if (!mine) {
    const holder = await currentHolder(tx, id);
    throw new AppError("conflict", `${holder.claimedBy ?? "Another lead"} has claimed this.`);
  }
  return row;
}

async function currentHolder(tx: Tx, id: string) {
  const e = schema.escalations;
  const [row] = await tx
    .select({ status: e.status, claimedById: e.claimedBy, claimedBy: schema.users.name })
    .from(e)
    .leftJoin(schema.users, eq(schema.users.id, e.claimedBy))
    .where(eq(e.id, id));
  if (!row) throw new AppError("not_found", "No such escalation.");
  return row;
}

async function setStatus(tx: Tx, id: string, values: Partial<EscalationRow>) {
  await tx.update(schema.escalations).set(values).where(eq(schema.escalations.id, id));
}

/** The agents have the conversation again: the run is claimable and a worker is woken. */
async function returnToAgents(tx: Tx, row: EscalationRow) {
  await setStatus(tx, row.id, { status: "handed_back" });
  await tx
    .update(schema.conversations)
    .set({ status: "running", updatedAt: new Date() })
    .where(eq(schema.conversations.id, row.conversationId));
  await tx.execute(sql`select pg_notify(${RUNS_CHANNEL}, ${row.runId})`);
}

/** A run commit from the console: the runtime's refusals become the caller's conflict. */
async function runCommit(commit: () => Promise<RunState>): Promise<RunState> {
  try {
    return await commit();
  } catch (error) {
    if (error instanceof ConcurrencyConflict) {
      throw new AppError("conflict", "The conversation changed meanwhile; reload and try again.");
    }
    if (error instanceof ConfigurationError) {
      throw new AppError("conflict", "That request is no longer pending.");
    }
    throw error;
  }
}

async function audit(tx: Tx, actor: Actor, id: string, action: string, after: unknown) {
  await recordAudit(tx, actor, { action, targetType: "escalation", targetId: id, after });
}
