import "server-only";
import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { db, schema } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { summarizeEvent, truncateText } from "@/lib/events/summarize";
import { afterCursor, cursorTimestamp, decodeCursor, encodeCursor, newestFirst } from "./keyset-cursor";

export const conversationStatuses = schema.conversationStatusEnum.enumValues;
export type ConversationStatus = (typeof conversationStatuses)[number];
export type MessageRole = (typeof schema.messageRoleEnum.enumValues)[number];

/** Per-row bounds: the list never counts or reads more than this per conversation. */
export const MESSAGE_COUNT_CAP = 999;
export const PREVIEW_CHARS = 140;
/** Detail view bounds, shown in the UI when reached. */
export const DETAIL_MAX_MESSAGES = 500;
export const DETAIL_MAX_RUNS = 20;
export const DETAIL_MAX_EVENTS_PER_RUN = 500;

export interface ConversationListRowDto {
  id: string;
  status: ConversationStatus;
  chain: string;
  customerId: string | null;
  /** Capped at MESSAGE_COUNT_CAP + 1, which the UI shows as "999+". */
  messageCount: number;
  lastMessagePreview: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationListPage {
  rows: ConversationListRowDto[];
  nextCursor: string | null;
}

/**
 * Newest first, keyset-paginated on (created_at, id) along conversations_created_at_idx. The
 * message count and the last message come from lateral subqueries on messages_conversation_idx,
 * each bounded per row, so a page costs O(limit) index probes however long the conversations are.
 */
export async function listConversations(opts: {
  cursor?: string | null;
  status?: ConversationStatus | null;
  q?: string | null;
  limit?: number;
}): Promise<ConversationListPage> {
  await authorize("conversations:read");
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 50), 1), 100);
  const c = schema.conversations;
  const m = schema.messages;

  const filters: SQL[] = [];
  if (opts.status) filters.push(eq(c.status, opts.status));
  const q = opts.q?.trim().slice(0, 100);
  if (q) {
    const prefix = `${escapeLike(q)}%`;
    filters.push(or(sql`${c.id} like ${prefix}`, sql`${c.customerId} like ${prefix}`)!);
  }
  const cursor = decodeCursor(opts.cursor);
  if (cursor) {
    filters.push(afterCursor(c.createdAt, c.id, cursor));
  }

  const counted = db()
    .select({ one: sql`1`.as("one") })
    .from(m)
    .where(eq(m.conversationId, c.id))
    .limit(MESSAGE_COUNT_CAP + 1)
    .as("counted");
  const messageCount = db()
    .select({ n: sql<number>`count(*)::int`.as("n") })
    .from(counted)
    .as("message_count");
  const lastMessage = db()
    // Enough characters to survive whitespace collapsing; never the whole (possibly huge) text.
    .select({ preview: sql<string>`left(${m.content}, ${PREVIEW_CHARS * 3})`.as("preview") })
    .from(m)
    .where(eq(m.conversationId, c.id))
    .orderBy(desc(m.createdAt), desc(m.id))
    .limit(1)
    .as("last_message");

  const rows = await db()
    .select({
      id: c.id,
      status: c.status,
      chain: c.chain,
      customerId: c.customerId,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      cursorAt: cursorTimestamp(c.createdAt),
      messageCount: messageCount.n,
      preview: lastMessage.preview,
    })
    .from(c)
    .leftJoinLateral(messageCount, sql`true`)
    .leftJoinLateral(lastMessage, sql`true`)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(...newestFirst(c.createdAt, c.id))
    .limit(limit + 1);

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({
      id: r.id,
      status: r.status,
      chain: r.chain,
      customerId: r.customerId,
      messageCount: Number(r.messageCount ?? 0),
      lastMessagePreview: r.preview === null ? null : truncateText(r.preview, PREVIEW_CHARS),
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.id) : null,
  };
}

export interface MessageDto {
  id: string;
  role: MessageRole;
  /** Agent name for agent messages; the person's name (or id) for human replies. */
  author: string | null;
  runId: string | null;
  content: string;
  createdAt: string;
}

export interface RunEventDto {
  seq: number;
  type: string;
  agent: string | null;
  agentVersion: number | null;
  at: string;
  summary: string;
  data: unknown;
}

export interface RunDto {
  id: string;
  status: string;
  traceId: string;
  createdAt: string;
  events: RunEventDto[];
  /** More than DETAIL_MAX_EVENTS_PER_RUN events exist; only the first ones are included. */
  eventsTruncated: boolean;
}

export interface ConversationDetailDto {
  id: string;
  status: ConversationStatus;
  chain: string;
  /** Started in the console (no API key): engineers may continue it as the test customer. */
  startedFromConsole: boolean;
  customerId: string | null;
  metadata: unknown;
  createdAt: string;
  updatedAt: string;
  /** Oldest first; the latest DETAIL_MAX_MESSAGES when messagesTruncated. */
  messages: MessageDto[];
  messagesTruncated: boolean;
  /** Oldest first; the latest DETAIL_MAX_RUNS when runsTruncated. */
  runs: RunDto[];
  runsTruncated: boolean;
}

/** One conversation with its transcript and each run's event log, bounded; null when unknown. */
export async function getConversationDetail(id: string): Promise<ConversationDetailDto | null> {
  await authorize("conversations:read");
  if (!id || id.length > 200) return null;
  const c = schema.conversations;
  const [conv] = await db()
    .select({
      id: c.id,
      status: c.status,
      chain: c.chain,
      customerId: c.customerId,
      apiKeyId: c.apiKeyId,
      metadata: c.metadata,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    })
    .from(c)
    .where(eq(c.id, id))
    .limit(1);
  if (!conv) return null;

  const [messages, runs] = await Promise.all([loadMessages(id), loadRuns(id)]);
  return {
    id: conv.id,
    status: conv.status,
    chain: conv.chain,
    customerId: conv.customerId,
    startedFromConsole: conv.apiKeyId === null,
    metadata: conv.metadata,
    createdAt: conv.createdAt.toISOString(),
    updatedAt: conv.updatedAt.toISOString(),
    ...messages,
    ...runs,
  };
}

/**
 * The latest DETAIL_MAX_MESSAGES of a conversation's transcript, oldest first. Not authorized
 * here: for the detail views of this layer, which authorize before they call it.
 */
export async function loadMessages(conversationId: string): Promise<{ messages: MessageDto[]; messagesTruncated: boolean }> {
  const m = schema.messages;
  const u = schema.users;
  const rows = await db()
    .select({
      id: m.id,
      role: m.role,
      author: m.author,
      authorName: u.name,
      runId: m.runId,
      content: m.content,
      createdAt: m.createdAt,
    })
    .from(m)
    .leftJoin(u, and(eq(m.role, "human"), eq(u.id, m.author)))
    .where(eq(m.conversationId, conversationId))
    .orderBy(desc(m.createdAt), desc(m.id))
    .limit(DETAIL_MAX_MESSAGES + 1);
  return {
    messages: rows
      .slice(0, DETAIL_MAX_MESSAGES)
      .reverse()
      .map((r) => ({
        id: r.id,
        role: r.role,
        author: r.authorName ?? r.author,
        runId: r.runId,
        content: r.content,
        createdAt: r.createdAt.toISOString(),
      })),
    messagesTruncated: rows.length > DETAIL_MAX_MESSAGES,
  };
}

async function loadRuns(conversationId: string) {
  const r = schema.runs;
  const e = schema.runEvents;
  const runRows = await db()
    .select({ id: r.id, status: r.status, traceId: r.traceId, createdAt: r.createdAt })
    .from(r)
    .where(eq(r.conversationId, conversationId))
    .orderBy(desc(r.createdAt), desc(r.id))
    .limit(DETAIL_MAX_RUNS + 1);
  const kept = runRows.slice(0, DETAIL_MAX_RUNS).reverse();

  const byRun = new Map<string, RunEventDto[]>();
  if (kept.length) {
    // One query, a bounded primary-key range scan per run.
    const events = db()
      .select({
        seq: e.seq,
        type: e.type,
        agent: e.agent,
        agentVersion: e.agentVersion,
        at: e.at,
        data: e.data,
      })
      .from(e)
      .where(eq(e.runId, r.id))
      .orderBy(asc(e.seq))
      .limit(DETAIL_MAX_EVENTS_PER_RUN + 1)
      .as("ev");
    const rows = await db()
      .select({
        runId: r.id,
        event: {
          seq: events.seq,
          type: events.type,
          agent: events.agent,
          agentVersion: events.agentVersion,
          at: events.at,
          data: events.data,
        },
      })
      .from(r)
      .innerJoinLateral(events, sql`true`)
      .where(inArray(r.id, kept.map((k) => k.id)))
      .orderBy(asc(r.id), asc(events.seq));
    for (const row of rows) {
      const list = byRun.get(row.runId) ?? [];
      list.push({
        seq: row.event.seq,
        type: row.event.type,
        agent: row.event.agent,
        agentVersion: row.event.agentVersion,
        at: row.event.at.toISOString(),
        summary: summarizeEvent(row.event.type, row.event.data),
        data: row.event.data,
      });
      byRun.set(row.runId, list);
    }
  }
  return {
    runs: kept.map((k): RunDto => {
      const events = byRun.get(k.id) ?? [];
      return {
        id: k.id,
        status: k.status,
        traceId: k.traceId,
        createdAt: k.createdAt.toISOString(),
        events: events.slice(0, DETAIL_MAX_EVENTS_PER_RUN),
        eventsTruncated: events.length > DETAIL_MAX_EVENTS_PER_RUN,
      };
    }),
    runsTruncated: runRows.length > DETAIL_MAX_RUNS,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}
