import { z } from "zod";

/** Conflict rules a chain declares for peers that disagree (coordination/conflict.ts). */
export const conflictRules = ["majority", "priority", "escalate"] as const;
export type ConflictRule = (typeof conflictRules)[number];

/**
 * Events of peer coordination (patterns/mesh.ts); `base` is the envelope of events.ts. A publish is
 * a durable event of the step that produced it, so the log is the bus: there is no other.
 */
export function coordinationEventSchemas<B extends z.ZodRawShape>(base: B) {
  return [
    z.object({
      ...base,
      type: z.literal("published"),
      /** The publishing thread; absent when the pattern hands a stage's input to a group. */
      threadId: z.string().optional(),
      group: z.string(),
      topic: z.string(),
      key: z.string(),
      payload: z.unknown(),
      /** Peer-to-peer messages count against `maxHops`; a group's entry message does not. */
      hop: z.boolean(),
      hops: z.number().int().nonnegative(),
      /** Threads the message opened. */
      delivered: z.array(z.string()),
    }),
    z.object({
      ...base,
      type: z.literal("context_write"),
      threadId: z.string(),
      group: z.string(),
      key: z.string(),
      value: z.unknown(),
      accepted: z.boolean(),
      /** Why a write was rejected. */
      reason: z.string().optional(),
    }),
    z.object({
      ...base,
      type: z.literal("sub_problem_skipped"),
      group: z.string(),
      topic: z.string(),
      key: z.string(),
      subProblem: z.string(),
      /** The peer that would have solved it again. */
      peer: z.string(),
      /** The peer that took it first (its name in the group, as `peer`). */
      solvedBy: z.string(),
    }),
    z.object({
      ...base,
      type: z.literal("conflict_resolved"),
      group: z.string(),
      rule: z.enum(conflictRules),
      /** Every peer's answer, in the group's declared order. */
      answers: z.array(z.object({ agent: z.string(), vote: z.string(), answer: z.unknown() })),
      agreed: z.boolean(),
      outcome: z.enum(["chosen", "escalated"]),
      chosen: z.object({ agent: z.string(), vote: z.string() }).optional(),
      detail: z.string().optional(),
    }),
  ] as const;
}
