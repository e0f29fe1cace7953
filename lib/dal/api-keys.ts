import "server-only";
import { and, asc, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { db, schema } from "@/db";
import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@/lib/api/keys";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAudit } from "./audit";

export interface ApiKeyDto {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const k = schema.apiKeys;
// Never the hash: it leaves this module only as a lookup argument.
const keyColumns = {
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
};

function toDto(r: {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiKeyDto {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

/** Active keys first, then revoked ones; newest first within each. */
export async function listApiKeys(): Promise<ApiKeyDto[]> {
  await authorize("api_keys:read");
  const rows = await db()
    .select(keyColumns)
    .from(k)
    .orderBy(sql`${k.revokedAt} is not null`, desc(k.createdAt), asc(k.id))
    .limit(500);
  return rows.map(toDto);
}

// Mutations take the actor that formAction() already authorized; reads authorize themselves.

/** Creates a key; the plaintext is returned once here and never stored or logged. */
export async function createApiKey(
  actor: Actor,
  input: { name: string },
): Promise<{ apiKey: ApiKeyDto; plaintext: string }> {
  const plaintext = generateApiKey();
  const apiKey = await db().transaction(async (tx) => {
    const [row] = await tx
      .insert(k)
      .values({
        id: newId("key"),
        name: input.name,
        prefix: apiKeyDisplayPrefix(plaintext),
        keyHash: hashApiKey(plaintext),
        createdBy: actor.id,
      })
      .returning(keyColumns);
    const dto = toDto(row!);
    await recordAudit(tx, actor, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: dto.id,
      after: { name: dto.name, prefix: dto.prefix },
    });
    return dto;
  });
  return { apiKey, plaintext };
}

/** Revokes a key at once; revoking a revoked key changes nothing and records nothing. */
export async function revokeApiKey(actor: Actor, apiKeyId: string): Promise<ApiKeyDto> {
  return db().transaction(async (tx) => {
    const [before] = await tx.select(keyColumns).from(k).where(eq(k.id, apiKeyId)).for("update");
    if (!before) throw new AppError("not_found", "No such API key.");
    if (before.revokedAt) return toDto(before);
    const [after] = await tx
      .update(k)
      .set({ revokedAt: new Date() })
      .where(eq(k.id, apiKeyId))
      .returning(keyColumns);
    await recordAudit(tx, actor, {
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: apiKeyId,
      before: { name: before.name, prefix: before.prefix, revoked: false },
      after: { revoked: true },
    });
    return toDto(after!);
  });
}

/**
 * The public API's authentication lookup (lib/api/auth.ts), not a console read: there is no
 * session here, the key itself is the credential. Looking a key up by its hash through the
 * unique index compares no secret byte by byte, so response time reveals nothing about it.
 */
export async function findActiveApiKeyByHash(
  keyHash: string,
): Promise<{ id: string; lastUsedAt: Date | null } | null> {
  const [row] = await db()
    .select({ id: k.id, lastUsedAt: k.lastUsedAt })
    .from(k)
    .where(and(eq(k.keyHash, keyHash), isNull(k.revokedAt)))
    .limit(1);
  return row ?? null;
}

const LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * Records use at most once a minute per key, so a busy integration does not turn every request
 * into a write on one hot row; the condition is repeated in SQL so concurrent requests that all
 * saw a stale value still write once.
 */
export async function touchApiKeyLastUsed(apiKey: { id: string; lastUsedAt: Date | null }, now = new Date()) {
  const fresh =
    apiKey.lastUsedAt && now.getTime() - apiKey.lastUsedAt.getTime() < LAST_USED_RESOLUTION_SECONDS * 1000;
  if (fresh) return;
  await db()
    .update(k)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(k.id, apiKey.id),
        or(
          isNull(k.lastUsedAt),
          lt(k.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_SECONDS * 1000)),
        ),
      ),
    );
}
