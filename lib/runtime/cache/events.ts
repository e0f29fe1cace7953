import { z } from "zod";

/** Agent-level cache events; `base` is the common event envelope of events.ts. */
export function cacheEventSchemas<B extends z.ZodRawShape>(base: B) {
  return [
    z.object({
      ...base,
      /** The thread's answer came from the response cache instead of a model call. */
      type: z.literal("cache_hit"),
      threadId: z.string(),
      match: z.enum(["exact", "semantic"]),
      similarity: z.number(),
      /** What the call that produced the stored answer cost. */
      savedUsd: z.number(),
      model: z.string(),
      ageMs: z.number(),
      /** The answer served, bounded as an `llm_call`'s output is; absent in events from before
       *  it was recorded. The trace shows it, and it is all a later reader of the log has of it:
       *  the cached entry may be gone by then. */
      output: z.unknown().optional(),
    }),
  ] as const;
}
