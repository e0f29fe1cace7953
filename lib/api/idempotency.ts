import "server-only";
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { db, schema, type Database } from "@/db";
import { IDEMPOTENCY_WINDOW_MS } from "@/lib/maintenance/retention";
import { ApiError } from "./respond";

/** A response as it is stored for replay. */
export interface ApiResult {
  status: number;
  body: unknown;
}

/**
 * The Idempotency-Key header: absent is fine (null); present, it must be 1–255 printable ASCII
 * characters, else the request is refused with a 400 before anything runs.
 */
export function parseIdempotencyKey(header: string | null): string | null {
  if (header === null) return null;
  if (!/^[\x20-\x7e]{1,255}$/.test(header)) {
    throw new ApiError("invalid", "Idempotency-Key must be 1 to 255 printable ASCII characters.");
  }
  return header;
}

/**
 * What makes two requests "the same" for an Idempotency-Key: method, path and the parsed body,
 * serialised with sorted keys so whitespace and key order in a retried body do not matter.
 */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method.toUpperCase()} ${path}\n${stableStringify(body)}`, "utf8")
    .digest("hex");
}

/** JSON.stringify with object keys sorted at every level. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v ?? null)).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const t = schema.idempotencyKeys;

/**
 * Runs `work` at most once per (API key, Idempotency-Key) within IDEMPOTENCY_WINDOW_MS (24 hours).
 *
 * The claim row is inserted first, in the same transaction as the work and the stored result, so
 * they commit or roll back together. A concurrent request with the same key blocks on the primary
 * key until the first transaction ends (PostgreSQL; PGlite runs transactions one at a time), then
 * either finds the committed result and replays it, or, if the first one failed and rolled back,
 * takes the claim itself. Failed requests (4xx from the work, 5xx) therefore store nothing, and a
 * retry with the same key runs again: "a bad request changes nothing".
 *
 * A key older than the window is new again: the claim takes its row over (under the row lock, so
 * concurrent retries still run the work once), whether or not retention has deleted it yet.
 *
 * `work` must write only through the handle it is given; with no key it gets the plain database.
 */
export async function withIdempotency(
  scope: { apiKeyId: string; key: string | null; requestHash: string },
  work: (handle: Database) => Promise<ApiResult>,
): Promise<ApiResult & { replayed: boolean }> {
  const { apiKeyId, key, requestHash: hash } = scope;
  if (key === null) return { ...(await work(db())), replayed: false };
  return db().transaction(async (tx) => {
    const claimed = await tx
      .insert(t)
      .values({ apiKeyId, key, requestHash: hash, statusCode: 0, response: {} })
      .onConflictDoUpdate({
        target: [t.apiKeyId, t.key],
        set: { requestHash: hash, statusCode: 0, response: {}, createdAt: sql`now()` },
        setWhere: sql`${t.createdAt} < now() - ${IDEMPOTENCY_WINDOW_MS} * interval '1 millisecond'`,
      })
      .returning({ key: t.key });
    const where = and(eq(t.apiKeyId, apiKeyId), eq(t.key, key));
    if (claimed.length === 0) {
      const [prior] = await tx
        .select({ requestHash: t.requestHash, statusCode: t.statusCode, response: t.response })
        .from(t)
        .where(where);
      if (prior && prior.requestHash !== hash) {
        throw new ApiError("invalid", "This Idempotency-Key was already used for a different request.", 422);
      }
      // Only possible if the row vanished or was committed unfinished, neither of which this code does.
      if (!prior || prior.statusCode === 0) {
        throw new ApiError("conflict", "A request with this Idempotency-Key is in progress; retry shortly.");
      }
      return { status: prior.statusCode, body: prior.response, replayed: true };
    }
    const result = await work(tx);
    await tx.update(t).set({ statusCode: result.status, response: result.body }).where(where);
    return { ...result, replayed: false };
  });
}
