import "server-only";
import { and, eq, type SQL } from "drizzle-orm";
import { db, schema, type Database } from "@/db";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { newId } from "@/lib/ids";
import { afterCursor, cursorTimestamp, decodeCursor, encodeCursor, newestFirst } from "./keyset-cursor";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface AuditChange {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Writes an audit row inside the caller's transaction, so a change and its record land together. */
export async function recordAudit(tx: Tx | Database, actor: Actor, change: AuditChange) {
  await tx.insert(schema.auditLog).values({
    id: newId("aud"),
    actorId: actor.id,
    actorEmail: actor.email,
    action: change.action,
    targetType: change.targetType,
    targetId: change.targetId ?? null,
    before: change.before ?? null,
    after: change.after ?? null,
  });
}

export interface AuditEntryDto {
  id: string;
  actorEmail: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  createdAt: string;
}

export interface AuditPage {
  entries: AuditEntryDto[];
  nextCursor: string | null;
}

/** Newest first, keyset-paginated on (created_at, id) so pages stay fast and stable under inserts. */
export async function listAuditEntries(opts: {
  cursor?: string | null;
  limit?: number;
  targetType?: string | null;
}): Promise<AuditPage> {
  await authorize("audit:read");
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const a = schema.auditLog;
  const filters: SQL[] = [];
  if (opts.targetType) filters.push(eq(a.targetType, opts.targetType));
  const cursor = decodeCursor(opts.cursor);
  if (cursor) filters.push(afterCursor(a.createdAt, a.id, cursor));
  const rows = await db()
    .select({
      id: a.id,
      actorEmail: a.actorEmail,
      action: a.action,
      targetType: a.targetType,
      targetId: a.targetId,
      before: a.before,
      after: a.after,
      createdAt: a.createdAt,
      cursorAt: cursorTimestamp(a.createdAt),
    })
    .from(a)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(...newestFirst(a.createdAt, a.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({
      id: r.id,
      actorEmail: r.actorEmail,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      before: r.before,
      after: r.after,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.id) : null,
  };
}
