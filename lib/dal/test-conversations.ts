import "server-only";
import { eq } from "drizzle-orm";
import { db, schema } from "@/db";
import type { Actor } from "@/lib/auth/authorize";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { postCustomerMessage, startConversation } from "@/lib/runs/conversations";
import { DEFAULT_CHAIN } from "@/lib/runs/runtime";
import { defaultRuntimeParts } from "@/lib/runs/default-parts";
import { recordAudit } from "./audit";

/** What an engineer may write as the test customer (console forms). */
export const testMessageSchema = z
  .string()
  .trim()
  .min(1, "Write a message.")
  .max(8000, "At most 8,000 characters.");

// Engineers talk to the live agent team as a test customer. Mutations take the actor that
// formAction() authorized (playground:use); both write an audit row with the conversation id.

export async function startTestConversation(
  actor: Actor,
  message: string,
  chain?: string,
): Promise<{ id: string }> {
  // Validated here too: the chain list is the runtime's, and an unknown chain is the caller's error.
  if (chain !== undefined && !listChainNames().includes(chain)) {
    throw new AppError("invalid", "Unknown chain.", {
      chain: ["Choose one of the listed chains."],
    });
  }
  const started = await startConversation(db(), {
    message,
    apiKeyId: null,
    customerId: `console:${actor.email}`,
    metadata: { source: "console", startedBy: actor.id },
    ...(chain !== undefined ? { chain } : {}),
  });
  await recordAudit(db(), actor, {
    action: "conversation.start_test",
    targetType: "conversation",
    targetId: started.id,
  });
  return { id: started.id };
}

/** Only conversations started in the console: a real customer's conversation is not for acting in. */
export async function sendTestCustomerMessage(
  actor: Actor,
  conversationId: string,
  message: string,
) {
  const [row] = await db()
    .select({ apiKeyId: schema.conversations.apiKeyId })
    .from(schema.conversations)
    .where(eq(schema.conversations.id, conversationId));
  if (!row) throw new AppError("not_found", "No such conversation.");
  if (row.apiKeyId !== null) {
    throw new AppError(
      "forbidden",
      "Only conversations started in the console can be continued here.",
    );
  }
  const result = await postCustomerMessage(db(), conversationId, message, { apiKeyId: null });
  await recordAudit(db(), actor, {
    action: "conversation.test_message",
    targetType: "conversation",
    targetId: conversationId,
  });
  return result;
}

/** The chains this deployment runs (the runtime's list), default first; never empty. */
export function listChainNames(): string[] {
  const names = defaultRuntimeParts().chains.map((c) => c.name);
  if (names.length === 0) return [DEFAULT_CHAIN];
  return [...names].sort(
    (a, b) => Number(b === DEFAULT_CHAIN) - Number(a === DEFAULT_CHAIN) || a.localeCompare(b),
  );
}
