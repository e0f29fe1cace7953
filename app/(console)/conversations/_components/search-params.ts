import { z } from "zod";
import { conversationStatuses } from "@/lib/dal/conversations";

/** The list page's URL state. Anything malformed is dropped, never an error page. */
export const conversationSearchSchema = z.object({
  cursor: z.string().max(400).optional().catch(undefined),
  status: z.enum(conversationStatuses).optional().catch(undefined),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((q) => q || undefined),
});

export type ConversationSearch = z.infer<typeof conversationSearchSchema>;

/** A /conversations URL for the given state, omitting empty parts. */
export function conversationsHref(state: ConversationSearch): string {
  const params = new URLSearchParams();
  if (state.status) params.set("status", state.status);
  if (state.q) params.set("q", state.q);
  if (state.cursor) params.set("cursor", state.cursor);
  const query = params.toString();
  return query ? `/conversations?${query}` : "/conversations";
}
