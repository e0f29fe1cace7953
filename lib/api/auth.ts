import "server-only";
import { findActiveApiKeyByHash, touchApiKeyLastUsed } from "@/lib/dal/api-keys";
import { hashApiKey } from "./keys";
import { ApiError } from "./respond";

/** Who is calling the public API: an API key, never a console session. */
export interface ApiCaller {
  apiKeyId: string;
}

// Generous bound: real keys are 40 characters; anything this long is not a key worth hashing.
const MAX_KEY_LENGTH = 512;

/** The key from `Authorization: Bearer <key>`, or null when the header is missing or malformed. */
export function parseBearer(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim());
  const key = match?.[1];
  if (!key || key.length > MAX_KEY_LENGTH) return null;
  return key;
}

/**
 * Authenticates a public-API request by its Bearer key. Session cookies are deliberately not
 * consulted: the public API is for integrations, and a browser session must not be usable to
 * call it (no CSRF surface).
 */
export async function authenticateApiRequest(req: Request): Promise<ApiCaller> {
  const header = req.headers.get("authorization");
  const key = parseBearer(header);
  if (!key) {
    throw new ApiError(
      "unauthorized",
      header ? "Malformed Authorization header; send Authorization: Bearer <API key>." : "Send an API key as Authorization: Bearer <API key>.",
    );
  }
  const apiKey = await findActiveApiKeyByHash(hashApiKey(key));
  if (!apiKey) throw new ApiError("unauthorized", "The API key is not valid or has been revoked.");
  await touchApiKeyLastUsed(apiKey);
  return { apiKeyId: apiKey.id };
}
