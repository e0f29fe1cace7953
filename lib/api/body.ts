import { ApiError } from "./respond";

/** The largest request body the public API reads (a message is at most 8,000 characters). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads and parses a JSON request body, refusing more than `limit` bytes without buffering them:
 * a declared Content-Length over the limit is refused before reading, and a stream that runs past
 * it is cancelled. Not JSON (by Content-Type, encoding or syntax) is a 400.
 */
export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers.get("content-type");
  if (type && !isJsonMediaType(type)) {
    throw new ApiError("invalid", "Send a JSON body with Content-Type: application/json.");
  }
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const bytes = await readLimited(req, limit);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError("invalid", "The request body is not valid UTF-8.");
  }
  if (text.trim() === "") throw new ApiError("invalid", "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("invalid", "The request body is not valid JSON.");
  }
}

function isJsonMediaType(header: string): boolean {
  const media = header.split(";")[0]!.trim().toLowerCase();
  return media === "application/json" || /^application\/[\w.+-]+\+json$/.test(media);
}

function tooLarge(limit: number): ApiError {
  return new ApiError("invalid", `The request body is larger than ${limit / 1024} KB.`, 413);
}

async function readLimited(req: Request, limit: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
