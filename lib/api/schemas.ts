import { z } from "zod";

/**
 * Request bodies of the public conversation API (DESIGN.md contract). Objects are strict: an
 * unknown field is a 400 naming it, so a typo such as `mesage` is caught instead of ignored.
 */
// PostgreSQL text and jsonb cannot hold U+0000, and an unpaired UTF-16 surrogate (legal as a
// JSON escape) is either rejected by jsonb or silently replaced in text: refuse both up front.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !loneSurrogate.test(value);
}

const messageSchema = z
  .string({ error: (iss) => (iss.input === undefined ? "message is required." : "message must be a string.") })
  .trim()
  .min(1, "message must not be empty.")
  .max(8000, "message must be at most 8000 characters.")
  .refine(isStorableText, "message must not contain NUL characters or unpaired surrogates.");

const MAX_METADATA_KEYS = 50;
const MAX_METADATA_BYTES = 8 * 1024;
const MAX_METADATA_DEPTH = 10;

/**
 * Nesting depth of a parsed JSON value, or `null` when it holds text that cannot be stored. Stops
 * descending past `limit`, so a body nested thousands deep costs nothing and overflows no stack
 * (JSON.stringify of it would).
 */
function metadataShape(value: unknown, limit: number, depth = 0): { depth: number; storable: boolean } {
  if (typeof value === "string") return { depth, storable: isStorableText(value) };
  if (value === null || typeof value !== "object") return { depth, storable: true };
  if (depth >= limit) return { depth: depth + 1, storable: true };
  let deepest = depth + 1;
  for (const [key, child] of Object.entries(value)) {
    if (!isStorableText(key)) return { depth: deepest, storable: false };
    const shape = metadataShape(child, limit, depth + 1);
    if (!shape.storable || shape.depth > limit) return shape;
    deepest = Math.max(deepest, shape.depth);
  }
  return { depth: deepest, storable: true };
}

const metadataSchema = z
  .record(z.string(), z.unknown(), "metadata must be a JSON object.")
  .superRefine((m, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message, input: m });
    if (Object.keys(m).length > MAX_METADATA_KEYS) return fail(`metadata may have at most ${MAX_METADATA_KEYS} keys.`);
    const shape = metadataShape(m, MAX_METADATA_DEPTH);
    if (shape.depth > MAX_METADATA_DEPTH) return fail(`metadata may nest at most ${MAX_METADATA_DEPTH} levels deep.`);
    if (!shape.storable) return fail("metadata must not contain NUL characters or unpaired surrogates.");
    if (Buffer.byteLength(JSON.stringify(m), "utf8") > MAX_METADATA_BYTES) {
      fail(`metadata must be at most ${MAX_METADATA_BYTES / 1024} KB as JSON.`);
    }
  });

export const startConversationBodySchema = z.strictObject(
  {
    message: messageSchema,
    customerId: z
      .string("customerId must be a string.")
      .trim()
      .min(1, "customerId must not be empty.")
      .max(200, "customerId must be at most 200 characters.")
      .refine(isStorableText, "customerId must not contain NUL characters or unpaired surrogates.")
      .optional(),
    metadata: metadataSchema.optional(),
  },
  "The body must be a JSON object.",
);
export type StartConversationBody = z.infer<typeof startConversationBodySchema>;

export const postMessageBodySchema = z.strictObject(
  { message: messageSchema },
  "The body must be a JSON object.",
);
export type PostMessageBody = z.infer<typeof postMessageBodySchema>;

/** One readable sentence for the error object: the first problem, with where it is. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The request body is not valid.";
  if (issue.code === "unrecognized_keys") {
    return `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}.`;
  }
  if (issue.path.length > 0 && issue.message.startsWith("Invalid input")) {
    return `${issue.path.join(".")}: ${issue.message}.`;
  }
  return issue.message;
}
