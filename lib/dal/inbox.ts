import "server-only";
import { and, asc, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db, schema } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { inboxReasons } from "@/lib/escalations/policy";
import type { InboxPage } from "@/lib/query/inbox";
import { truncateText } from "@/lib/events/summarize";
import { cursorTimestamp, decodeCursor, encodeCursor } from "./keyset-cursor";

export const INBOX_PAGE_SIZE = 25;
const PREVIEW_CHARS = 140;

/** How long an entry has waited, at least. */
export const inboxAges = { "15m": 15, "1h": 60, "4h": 240, "24h": 1440 } as const;

/** The inbox's filters, from the URL or the live route's query string. */
export const inboxQuerySchema = z.object({
  reason: z.enum(inboxReasons).optional().catch(undefined),
  agent: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,63}$/)
    .optional()
    .catch(undefined),
  age: z
    .enum(Object.keys(inboxAges) as [keyof typeof inboxAges])
    .optional()
    .catch(undefined),
  cursor: z.string().max(400).optional().catch(undefined),
});
export type InboxQuery = z.infer<typeof inboxQuerySchema>;

const active = ["open", "claimed"] as const;

/**
 * What waits for a person, most urgent first: priority, then SLA due time, then id, along
 * escalations_queue_idx, keyset-paginated on those three.
 */
export async function listInbox(query: InboxQuery): Promise<InboxPage> {
  await authorize("inbox:read");
  const e = schema.escalations;
  const filters: SQL[] = [inArray(e.status, [...active])];
  if (query.reason) filters.push(eq(e.reason, query.reason));
  if (query.agent) filters.push(eq(e.agent, query.agent));
  if (query.age) {
    filters.push(sql`${e.createdAt} <= now() - ${inboxAges[query.age]} * interval '1 minute'`);
  }
  const cursor = decodeInboxCursor(query.cursor);
  if (cursor) {
    filters.push(
      sql`(${e.priority}, ${e.slaDueAt}, ${e.id}) > (${cursor.priority}, ${cursor.at}::timestamptz, ${cursor.id})`,
    );
  }
  const m = schema.messages;
  const u = schema.users;
  const lastCustomerMessage = db()
    .select({ preview: sql<string>`left(${m.content}, ${PREVIEW_CHARS * 3})`.as("preview") })
    .from(m)
    .where(and(eq(m.conversationId, e.conversationId), eq(m.role, "customer")))
    .orderBy(desc(m.createdAt), desc(m.id))
    .limit(1)
    .as("last_customer_message");
  const [rows, openCount, agents] = await Promise.all([
    db()
      .select({
        id: e.id,
        conversationId: e.conversationId,
        reason: e.reason,
        detail: e.detail,
        kind: e.kind,
        agent: e.agent,
        priority: e.priority,
        slaDueAt: e.slaDueAt,
        slaCursor: cursorTimestamp(e.slaDueAt),
        status: e.status,
        claimedBy: u.name,
        createdAt: e.createdAt,
        preview: lastCustomerMessage.preview,
      })
      .from(e)
      .leftJoin(u, eq(u.id, e.claimedBy))
      .leftJoinLateral(lastCustomerMessage, sql`true`)
      .where(and(...filters))
      .orderBy(asc(e.priority), asc(e.slaDueAt), asc(e.id))
      .limit(INBOX_PAGE_SIZE + 1),
    countOpenEscalationsUnchecked(),
    db()
      .selectDistinct({ agent: e.agent })
      .from(e)
      .where(and(inArray(e.status, [...active]), sql`${e.agent} is not null`))
      .orderBy(asc(e.agent))
      .limit(50),
  ]);
  const page = rows.slice(0, INBOX_PAGE_SIZE);
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({
      id: r.id,
      conversationId: r.conversationId,
      reason: r.reason,
      detail: r.detail === null ? null : truncateText(r.detail, 200),
      kind: r.kind,
      agent: r.agent,
      priority: r.priority,
      slaDueAt: r.slaDueAt.toISOString(),
      status: r.status,
      claimedBy: r.claimedBy,
      createdAt: r.createdAt.toISOString(),
      customerPreview: r.preview === null ? null : truncateText(r.preview, PREVIEW_CHARS),
    })),
    nextCursor:
      rows.length > INBOX_PAGE_SIZE && last
        ? encodeInboxCursor(last.priority, last.slaCursor, last.id)
        : null,
    openCount,
    agents: agents.flatMap((a) => (a.agent ? [a.agent] : [])),
  };
}

/** The navigation badge: how many escalations wait for a person (open or claimed). */
export async function countOpenEscalations(): Promise<number> {
  await authorize("inbox:read");
  return countOpenEscalationsUnchecked();
}

async function countOpenEscalationsUnchecked(): Promise<number> {
  const e = schema.escalations;
  const [row] = await db()
    .select({ n: count() })
    .from(e)
    .where(inArray(e.status, [...active]));
  return row?.n ?? 0;
}

// The shared (timestamp, id) cursor carries the priority inside its id part: "<priority>:<id>".
function encodeInboxCursor(priority: number, at: string, id: string): string {
  return encodeCursor(at, `${priority}:${id}`);
}

function decodeInboxCursor(cursor: string | undefined) {
  const decoded = decodeCursor(cursor);
  const match = decoded ? /^(\d{1,3}):(.+)$/.exec(decoded.id) : null;
  if (!decoded || !match) return null;
  return { priority: Number(match[1]), at: decoded.at, id: match[2]! };
}
