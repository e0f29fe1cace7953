import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether a scrape may read the metrics: with no token configured the endpoint is open; with one,
 * the request must carry `Authorization: Bearer <token>`. A console session is not a credential
 * here (scrapers have none). Compared as hashes in constant time, so neither the token nor its
 * length leaks through timing.
 */
export function mayScrape(authorization: string | null, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1]) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
