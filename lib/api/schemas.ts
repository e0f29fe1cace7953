import { z } from "zod";

/**
 * Request bodies of the public conversation API (DESIGN.md contract). Objects are strict: an
 * unknown field is a 400 naming it, so a typo such as `mesage` is caught instead of ignored.
 */
// PostgreSQL text and jsonb cannot hold U+0000: such a request would fail on insert with a 500.
const NUL = String.fromCharCode(0);
const hasNoNul = (text: string) => !text.includes(NUL);

const messageSchema = z
  .string({ error: (iss) => (iss.input === undefined ? "message is required." : "message must be a string.") })
  .trim()
  .min(1, "message must not be empty.")
  .max(8000, "message must be at most 8000 characters.")
  .refine(hasNoNul, "message must not contain NUL characters.");

const MAX_METADATA_KEYS = 50;
const MAX_METADATA_BYTES = 8 * 1024;

const metadataSchema = z
  .record(z.string(), z.unknown(), "metadata must be a JSON object.")
  .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `metadata may have at most ${MAX_METADATA_KEYS} keys.`)
  .refine(
    (m) => Buffer.byteLength(JSON.stringify(m), "utf8") <= MAX_METADATA_BYTES,
    `metadata must be at most ${MAX_METADATA_BYTES / 1024} KB as JSON.`,
  )
  .refine((m) => !JSON.stringify(m).includes("\\u0000"), "metadata must not contain NUL characters.");

export const startConversationBodySchema = z.strictObject(
  {
    message: messageSchema,
    customerId: z
      .string("customerId must be a string.")
      .trim()
      .min(1, "customerId must not be empty.")
      .max(200, "customerId must be at most 200 characters.")
      .refine(hasNoNul, "customerId must not contain NUL characters.")
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
