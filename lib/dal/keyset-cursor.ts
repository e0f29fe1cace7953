import { sql, type AnyColumn, type SQL } from "drizzle-orm";

/**
 * Keyset cursors on (created_at, id) for newest-first lists. The timestamp travels as text with
 * its microseconds: a JS Date keeps only milliseconds, and a cursor cut to them would skip rows
 * created within the same millisecond.
 */
const cursorAtPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string | null | undefined): { at: string; id: string } | null {
  if (!cursor || cursor.length > 400) return null;
  const [at, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !id || extra !== undefined || id.length > 200) return null;
  const match = cursorAtPattern.exec(at);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y!, mo! - 1, d, h, mi, s));
  // Rejects impossible dates (2024-02-31) that Postgres would refuse with an error.
  if (
    Number.isNaN(date.getTime()) ||
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo! - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== s
  ) {
    return null;
  }
  return { at, id };
}

/** The column as cursor text (UTC, microseconds); select it beside the row to build the cursor. */
export function cursorTimestamp(column: AnyColumn): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows strictly after the cursor in (created_at desc, id desc) order, as the index has them. */
export function afterCursor(createdAt: AnyColumn, id: AnyColumn, cursor: { at: string; id: string }): SQL {
  return sql`(${createdAt}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id})`;
}

/**
 * The newest-first order of the (created_at desc, id desc) indexes. drizzle declares them
 * "DESC NULLS LAST", and a plain DESC means NULLS FIRST: without this PostgreSQL sorts every
 * matching row instead of reading the index.
 */
export function newestFirst(createdAt: AnyColumn, id: AnyColumn): [SQL, SQL] {
  return [sql`${createdAt} desc nulls last`, sql`${id} desc nulls last`];
}
