import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { formatTranscript } from "@/lib/agents/transcript";
import { AppError } from "@/lib/errors";
import { newId, newTraceId } from "@/lib/ids";
import { conversationBudgetOf } from "@/lib/costs/conversation-budget";
import { createRunLoop, DEFAULT_CHAIN, type RuntimeParts } from "./runtime";
import { defaultRuntimeParts } from "./default-parts";
import type { ConversationStatus } from "./settlement";
import { turnSummarySchema } from "@/lib/runtime";

export type { ConversationStatus } from "./settlement";

/** Who is asking: an API key sees only its own conversations; null is the console or a test. */
export interface ConversationScope {
  apiKeyId: string | null;
}

export interface ConversationView {
  id: string;
  status: ConversationStatus;
  traceId: string;
  messages: { role: "customer" | "agent" | "human"; agent?: string; content: string; createdAt: string }[];
}

/** Workers LISTEN here; a run created in a transaction is announced when it commits. */
export const RUNS_CHANNEL = "switchyard_runs";

/**
 * Starts a conversation: the conversation, the customer's message and the first run (which is
 * also the workers' queue entry) are written in one transaction, so either all exist or none.
 */
export async function startConversation(
  db: Database,
  input: {
    message: string;
    customerId?: string;
    metadata?: Record<string, unknown>;
    apiKeyId: string | null;
    chain?: string;
  },
  parts: RuntimeParts = defaultRuntimeParts(),
): Promise<{ id: string; status: ConversationStatus; traceId: string }> {
  const id = newId("cnv");
  const chain = input.chain ?? DEFAULT_CHAIN;
  const traceId = await db.transaction(async (tx) => {
    await tx.insert(schema.conversations).values({
      id,
      status: "running",
      chain,
      customerId: input.customerId ?? null,
      apiKeyId: input.apiKeyId,
      metadata: input.metadata ?? {},
    });
    await insertCustomerMessage(tx, id, input.message);
    return startRun(tx, id, chain, input.message, parts, true);
  });
  return { id, status: "running", traceId };
}

/** Adds a customer message and starts the next turn; refused while the agents still answer. */
export async function postCustomerMessage(
  db: Database,
  conversationId: string,
  message: string,
  scope: ConversationScope,
  parts: RuntimeParts = defaultRuntimeParts(),
): Promise<{ id: string; status: ConversationStatus }> {
  return db.transaction(async (tx) => {
    const [conversation] = await tx
      .select({ id: schema.conversations.id, status: schema.conversations.status, chain: schema.conversations.chain })
      .from(schema.conversations)
      .where(and(eq(schema.conversations.id, conversationId), scopeFilter(scope)))
      .for("update");
    if (!conversation) throw new AppError("not_found", "No such conversation.");
    if (conversation.status === "running") {
      throw new AppError("conflict", "The agents are still answering the previous message; try again shortly.");
    }
    await insertCustomerMessage(tx, conversationId, message);
    if (conversation.status === "escalated") {
      // A person has the conversation: the message waits for them, no agent run starts.
      return { id: conversationId, status: "escalated" as const };
    }
    const transcript = await transcriptOf(tx, conversationId);
    await startRun(tx, conversationId, conversation.chain, transcript, parts, false);
    await tx
      .update(schema.conversations)
      .set({ status: "running", updatedAt: new Date() })
      .where(eq(schema.conversations.id, conversationId));
    return { id: conversationId, status: "running" as const };
  });
}

export async function getConversationView(
  db: Database,
  conversationId: string,
  scope: ConversationScope,
): Promise<ConversationView | null> {
  const c = schema.conversations;
  const [conversation] = await db
    .select({ id: c.id, status: c.status })
    .from(c)
    .where(and(eq(c.id, conversationId), scopeFilter(scope)));
  if (!conversation) return null;
  const [messages, [latestRun]] = await Promise.all([
    db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.conversationId, conversationId))
      .orderBy(asc(schema.messages.createdAt), asc(schema.messages.id)),
    db
      .select({ traceId: schema.runs.traceId })
      .from(schema.runs)
      .where(eq(schema.runs.conversationId, conversationId))
      .orderBy(desc(schema.runs.createdAt))
      .limit(1),
  ]);
  return {
    id: conversation.id,
    status: conversation.status,
    traceId: latestRun?.traceId ?? "",
    messages: messages.map((m) => ({
      role: m.role,
      ...(m.role === "agent" && m.author ? { agent: m.author } : {}),
      content: m.content,
      createdAt: m.createdAt.toISOString(),
    })),
  };
}

export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

function scopeFilter(scope: ConversationScope) {
  return scope.apiKeyId === null ? undefined : eq(schema.conversations.apiKeyId, scope.apiKeyId);
}

async function insertCustomerMessage(tx: Tx, conversationId: string, content: string) {
  await tx.insert(schema.messages).values({ id: newId("msg"), conversationId, role: "customer", content });
}

/** Creates the turn's run (its first commit) inside the caller's transaction and wakes a worker. */
async function startRun(
  tx: Tx,
  conversationId: string,
  chain: string,
  input: string,
  parts: RuntimeParts,
  firstTurn: boolean,
): Promise<string> {
  const traceId = newTraceId();
  // Sticky versions: assigned at the first turn, read back for every later one (lib/rollouts).
  const versions = await parts.versions?.pin(tx, conversationId, chain, firstTurn);
  if (versions) await parts.versions?.ensure(versions, tx);
  const loop = createRunLoop(tx, parts, { newRun: { conversationId, traceId } });
  const budget = parts.pricing ? await conversationBudgetOf(tx, conversationId, chain) : undefined;
  const contextSummary = firstTurn ? undefined : await contextSummaryOf(tx, conversationId);
  const state = await loop.create(chain, input, { budget, versions, contextSummary });
  await tx.execute(sql`select pg_notify(${RUNS_CHANNEL}, ${state.runId})`);
  return traceId;
}

/**
 * The rolling context summary the conversation's latest run ended with (lib/runtime/context-policy):
 * the next turn folds only the turns since into it instead of summarising everything again.
 */
async function contextSummaryOf(tx: Tx, conversationId: string) {
  const [latest] = await tx
    .select({ summary: sql<unknown>`${schema.runs.checkpoint} -> 'context' -> 'summary'` })
    .from(schema.runs)
    .where(eq(schema.runs.conversationId, conversationId))
    .orderBy(desc(schema.runs.createdAt))
    .limit(1);
  const parsed = turnSummarySchema.safeParse(latest?.summary);
  return parsed.success ? parsed.data : undefined;
}

/** The conversation so far as the next run's input (lib/agents/transcript.ts). */
export async function transcriptOf(tx: Tx, conversationId: string): Promise<string> {
  const rows = await tx
    .select({ role: schema.messages.role, author: schema.messages.author, content: schema.messages.content })
    .from(schema.messages)
    .where(eq(schema.messages.conversationId, conversationId))
    .orderBy(asc(schema.messages.createdAt), asc(schema.messages.id));
  return formatTranscript(rows);
}
