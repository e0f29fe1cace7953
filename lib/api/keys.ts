import { createHash, randomBytes } from "node:crypto";

/**
 * Public-API key material. Keys are `sy_live_` + 32 base64url characters (24 random bytes, 192
 * bits); only their SHA-256 is stored. A fast hash is right here, unlike for passwords: the key
 * is long and random, so there is nothing to brute-force, and lookups stay a single indexed read.
 * No `server-only` import: db/seed.ts (run by tsx) hashes the demo key with it too.
 */
export const API_KEY_PREFIX = "sy_live_";
const DISPLAY_PREFIX_LENGTH = 12;

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** Hex SHA-256 of the key, as stored in api_keys.key_hash. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** The first characters of a key, shown in lists to recognise it (`sy_live_ab12`). */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}
