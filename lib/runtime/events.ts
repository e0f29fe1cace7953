import { z } from "zod";
import { providerErrorKinds } from "./model";
import { budgetEventSchemas } from "./budget/events";
import { cacheEventSchemas } from "./cache/events";
import { routingEventSchemas } from "./routing/events";
import { coordinationEventSchemas } from "./coordination/events";
import { escalationReasons, toolOutcomeSchema } from "./state";

/**
 * The append-only event log of a run. Every event carries the run, a sequence number that is
 * monotonic and gap-free per run (the store enforces it), the attributed agent and version (null
 * for run-level events) and the clock time in epoch milliseconds. Events are never updated.
 */
const base = {
  runId: z.string(),
  seq: z.number().int().positive(),
  at: z.number(),
  agent: z.string().nullable(),
  agentVersion: z.number().int().nullable(),
};

const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  /** Included in `inputTokens`: read from the provider's prompt cache. */
  cachedInputTokens: z.number().optional(),
});

export const toolRefusalReasons = [
  "not_allowed",
  "unknown_tool",
  "invalid_arguments",
  "too_many_calls",
  "superseded_by_handoff",
  "rejected_by_human",
] as const;
export type ToolRefusalReason = (typeof toolRefusalReasons)[number];

/** What can cut a run short so that it answers with its best output so far. */
export const completionBounds = [
  "max_steps",
  "wall_clock_budget",
  "cost_budget",
  "max_hops",
] as const;
export type CompletionBound = (typeof completionBounds)[number];

export const runEventSchema = z.discriminatedUnion("type", [
  z.object({
    ...base,
    type: z.literal("run_started"),
    chain: z.string(),
    input: z.string(),
    versions: z.record(z.string(), z.number()),
  }),
  z.object({
    ...base,
    type: z.literal("step_started"),
    step: z.number().int(),
    threads: z.array(z.string()),
  }),
  z.object({
    ...base,
    type: z.literal("llm_call"),
    threadId: z.string(),
    attempt: z.number().int(),
    tier: z.string(),
    model: z.string().nullable(),
    usage: usageSchema,
    latencyMs: z.number(),
    /** USD at the price in force when the call was made; absent without pricing, null unpriced. */
    costUsd: z.number().nullable().optional(),
    /** The agent's own tier when a conversation budget made the call run cheaper (`tier`). */
    downgradedFrom: z.string().optional(),
    /** Set when the agent's context policy is not `full`: the policy and the input tokens it
     *  left out against the full context (estimated); `usage.inputTokens` is what was sent. */
    context: z.object({ policy: z.string(), savedTokens: z.number().int().nonnegative() }).optional(),
    finish: z.enum(["output", "tool_calls", "error"]),
    /** What the call saw and said, bounded: the message count and the newest message. */
    input: z.object({ messages: z.number().int(), last: z.string() }).optional(),
    /** The model's answer (structured output, text or tool calls), bounded. */
    output: z.unknown().optional(),
    /** Text that came with tool calls (it joins the thread's history), bounded. */
    text: z.string().optional(),
    error: z
      .object({
        kind: z.enum(providerErrorKinds),
        message: z.string(),
        retryAfterMs: z.number().optional(),
      })
      .optional(),
  }),
  z.object({
    ...base,
    type: z.literal("tool_call"),
    threadId: z.string(),
    key: z.string(),
    tool: z.string(),
    input: z.unknown(),
    output: toolOutcomeSchema,
    startedAt: z.number(),
    finishedAt: z.number(),
    /** The result came from the ledger: the effect happened in an earlier, uncommitted attempt. */
    replayed: z.boolean(),
  }),
  z.object({
    ...base,
    type: z.literal("tool_refused"),
    threadId: z.string(),
    tool: z.string(),
    input: z.unknown(),
    reason: z.enum(toolRefusalReasons),
    detail: z.string().optional(),
  }),
  z.object({
    ...base,
    type: z.literal("handoff"),
    threadId: z.string(),
    from: z.string(),
    to: z.string(),
    toThreadId: z.string(),
    context: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("validation_failed"),
    threadId: z.string(),
    attempt: z.number().int(),
    issues: z.array(z.string()),
  }),
  z.object({
    ...base,
    type: z.literal("retry"),
    threadId: z.string(),
    reason: z.enum(["validation", "provider_error"]),
    attempt: z.number().int(),
    delayMs: z.number().optional(),
  }),
  z.object({
    ...base,
    type: z.literal("fallback"),
    threadId: z.string(),
    /** The agent whose call could not be made; the event is attributed to it. */
    from: z.string(),
    /** The rung that takes over: an agent, `fallback-template` or `human`. */
    to: z.string(),
    /** Position on the chain's ladder; the specialists are rung 0. */
    rung: z.number().int(),
    reason: z.enum(["provider_error", "retries_exhausted", "breaker_open"]),
    detail: z.string().optional(),
  }),
  z.object({ ...base, type: z.literal("interrupted"), interruptionIds: z.array(z.string()) }),
  z.object({
    ...base,
    type: z.literal("human_decision"),
    interruptionId: z.string(),
    approved: z.boolean(),
    note: z.string().optional(),
    by: z.string().optional(),
  }),
  z.object({
    ...base,
    /** A person returned an escalated run to the agents (lib/runtime/hand-back.ts). */
    type: z.literal("handed_back"),
    note: z.string(),
    by: z.string().optional(),
    /** Threads opened for the agents to continue with. */
    threads: z.array(z.string()),
  }),
  z.object({
    ...base,
    type: z.literal("escalated"),
    reason: z.enum(escalationReasons),
    detail: z.string().optional(),
  }),
  z.object({
    ...base,
    type: z.literal("completed"),
    output: z.unknown(),
    /** True when a bound cut the run short and this is the best answer it had. */
    partial: z.boolean(),
    /** Which bound cut the run short, when `partial`. */
    bound: z.enum(completionBounds).optional(),
  }),
  z.object({
    ...base,
    type: z.literal("failed"),
    error: z.object({ category: z.string(), message: z.string() }),
  }),
  ...budgetEventSchemas(base),
  ...cacheEventSchemas(base),
  ...routingEventSchemas(base),
  ...coordinationEventSchemas(base),
]);

/** One entry of a run's event log. */
export type RunEvent = z.infer<typeof runEventSchema>;
export type RunEventType = RunEvent["type"];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the store assigns it a place in the log. */
export type EventDraft = DistributiveOmit<RunEvent, "runId" | "seq">;

/** The type-specific part of an event; the recorder adds time and attribution. */
export type EventPayload = DistributiveOmit<
  RunEvent,
  "runId" | "seq" | "at" | "agent" | "agentVersion"
>;
