import { hash } from "node:crypto";
import { costOf } from "@/lib/costs/prices";
import type { RunEvent, RunState } from "@/lib/runtime";
import { coordinationAttributes, coordinationSpan } from "./coordination";

/**
 * Spans derived from a step's events, written in the same commit (so a trace is never behind its
 * run). Ids are a hash of the run and the event's place in the log: a step retried after a crash
 * re-derives the same ids, so nothing is orphaned or written twice.
 */
export interface SpanRecord {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  status: "ok" | "error" | "unset";
  agent: string | null;
  agentVersion: number | null;
  model: string | null;
  tier: string | null;
  startedAt: number;
  endedAt: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  error: string | null;
  attributes: Record<string, string | number | boolean>;
  payload: unknown;
  /** The event the span was derived from; its payload is stored as a reference to it. */
  eventSeq: number | null;
}

export type SpanKind =
  | "run"
  | "step"
  | "llm"
  | "tool"
  | "handoff"
  | "validation"
  | "retry"
  | "fallback"
  | "guardrail"
  | "escalation"
  | "resume"
  | "human"
  | "cache"
  | "routing"
  | "message"
  | "context"
  | "conflict";

/** What one commit adds to its trace's totals (kept on the runs row). */
export interface TraceDelta {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  llmCalls: number;
  errors: number;
  agents: string[];
  models: string[];
}

const noTotals = (): TraceDelta => ({
  costUsd: 0,
  inputTokens: 0,
  outputTokens: 0,
  llmCalls: 0,
  errors: 0,
  agents: [],
  models: [],
});

/** Two commits' totals as one: the run row takes those of the steps since its last write. */
export function sumDeltas(a: TraceDelta, b: TraceDelta): TraceDelta {
  return {
    costUsd: a.costUsd + b.costUsd,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    llmCalls: a.llmCalls + b.llmCalls,
    errors: a.errors + b.errors,
    agents: [...new Set([...a.agents, ...b.agents])],
    models: [...new Set([...a.models, ...b.models])],
  };
}

export const spanId = (runId: string, key: string) =>
  hash("sha256", `${runId}|${key}`, "hex").slice(0, 16);

export const rootSpanId = (runId: string) => spanId(runId, "root");

/** When a commit's events end: its step span's end, and a run's that the commit settles. */
export const lastEventAt = (events: readonly RunEvent[]): number | undefined =>
  events.length ? Math.max(...events.map((e) => e.at)) : undefined;

export interface Resumption {
  worker: string;
  claim: number;
}

/**
 * Derives a commit's spans and totals; `resumed` marks the first commit after a takeover. With the
 * commit's checkpoint, spans of a hybrid or mesh run say which part they belong to.
 */
export function spansForCommit(
  runId: string,
  events: readonly RunEvent[],
  resumed?: Resumption,
  checkpoint?: Pick<RunState, "threads">,
): { spans: SpanRecord[]; delta: TraceDelta } {
  const { spans, delta } = deriveCommit(runId, events, resumed, checkpoint, false);
  return { spans, delta };
}

/**
 * What a commit writes of its trace: the spans it stores (`isStoredSpan`), its LLM calls as the
 * narrow records `llm_calls` holds, and its totals; the same as `spansForCommit` derives, minus
 * the spans readers derive again from the step log. On the write path, where building the
 * step and LLM spans' records (their GenAI attributes and payloads) only to drop them was most
 * of what deriving a commit's trace allocated.
 */
export function commitTrace(
  runId: string,
  events: readonly RunEvent[],
  resumed?: Resumption,
  checkpoint?: Pick<RunState, "threads">,
): { spans: SpanRecord[]; llmCalls: LlmCallRecord[]; delta: TraceDelta } {
  return deriveCommit(runId, events, resumed, checkpoint, true);
}

function deriveCommit(
  runId: string,
  events: readonly RunEvent[],
  resumed: Resumption | undefined,
  checkpoint: Pick<RunState, "threads"> | undefined,
  storedOnly: boolean,
): { spans: SpanRecord[]; llmCalls: LlmCallRecord[]; delta: TraceDelta } {
  const spans: SpanRecord[] = [];
  const llmCalls: LlmCallRecord[] = [];
  const delta = noTotals();
  // Hashed only when a span needs them: a mid-run commit of LLM calls alone stores no span.
  let ids: CommitIds | undefined;
  const idsOf = () => (ids ??= commitIds(runId, events));
  if (resumed && events[0]) {
    spans.push(
      base(
        spanId(runId, `resume:${resumed.claim}`),
        idsOf().root,
        "resume",
        `resumed (claim ${resumed.claim})`,
        events[0],
        {
          startedAt: events[0].at,
          endedAt: events[0].at,
          attributes: { "switchyard.worker": resumed.worker, "switchyard.claim": resumed.claim },
          eventSeq: null,
        },
      ),
    );
  }
  for (const event of events) {
    if (storedOnly && event.type === "llm_call") {
      const call = llmCallOf(event, spanId(runId, `event:${event.seq}`));
      llmCalls.push(call);
      count(delta, call);
      continue;
    }
    if (storedOnly && event.type === "step_started") {
      // Of the step span, only its agent counts: its status repeats its children's.
      count(delta, {
        kind: "step",
        status: "ok",
        agent: event.agent,
        model: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
      });
      continue;
    }
    const span = spanOf(runId, event, idsOf(), events);
    if (!span) continue;
    if (checkpoint)
      Object.assign(span.attributes, coordinationAttributes(event, checkpoint.threads));
    count(delta, span);
    // The branches above skip building the kinds known to be derived; `isStoredSpan` decides.
    if (!storedOnly || isStoredSpan(span)) spans.push(span);
  }
  return { spans, llmCalls, delta };
}

/** What a span adds to its trace's totals: the columns `count` reads. */
type CountedSpan = Pick<SpanRecord, "agent" | "model" | "inputTokens" | "outputTokens" | "costUsd"> & {
  kind: string;
  status: string;
};

/**
 * A trace's totals from its spans, as its commits counted them: what a running run's row may not
 * count yet (its steps since the last stored checkpoint, docs/step-log.md phase B).
 */
export function traceTotals(spans: readonly CountedSpan[]): TraceDelta {
  const delta = noTotals();
  for (const span of spans) count(delta, span);
  return delta;
}

/** Adds a span (or an LLM call's record) to its commit's totals. */
function count(delta: TraceDelta, span: CountedSpan): void {
  // A step span is in error because one of its children is: count the child only.
  if (span.status === "error" && span.kind !== "step") delta.errors += 1;
  if (span.agent && !delta.agents.includes(span.agent)) delta.agents.push(span.agent);
  if (span.kind !== "llm") return;
  delta.llmCalls += 1;
  delta.inputTokens += span.inputTokens ?? 0;
  delta.outputTokens += span.outputTokens ?? 0;
  delta.costUsd += span.costUsd ?? 0;
  if (span.model && !delta.models.includes(span.model)) delta.models.push(span.model);
}

/** An LLM call as the `llm_calls` row holds it: the columns of its span, not its attributes. */
export interface LlmCallRecord {
  kind: "llm";
  spanId: string;
  agent: string | null;
  agentVersion: number | null;
  model: string | null;
  tier: string;
  status: "ok" | "error";
  startedAt: number;
  endedAt: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number | null;
  /** Null for a model without a known price. */
  costUsd: number | null;
  error: string | null;
}

type LlmCallEvent = Extract<RunEvent, { type: "llm_call" }>;

function llmCallOf(e: LlmCallEvent, id: string): LlmCallRecord {
  const model = e.model ?? null;
  return {
    kind: "llm",
    spanId: id,
    agent: e.agent,
    agentVersion: e.agentVersion,
    model,
    tier: e.tier,
    status: e.error ? "error" : "ok",
    startedAt: e.at - e.latencyMs,
    endedAt: e.at,
    inputTokens: e.usage.inputTokens,
    outputTokens: e.usage.outputTokens,
    cachedInputTokens: e.usage.cachedInputTokens ? e.usage.cachedInputTokens : null,
    // The runtime prices each call with the price in force when it was made; older events
    // (before prices were versioned) fall back to the built-in table.
    costUsd: e.error ? 0 : e.costUsd !== undefined ? e.costUsd : costOf(model, e.usage),
    error: e.error ? `${e.error.kind}: ${e.error.message}` : null,
  };
}

/**
 * Whether a commit stores the span in `spans`. Step and LLM spans are not stored: readers of a
 * trace derive them from the commit's `run_steps` row (`derivedSpansOf`), which saves every step
 * a span row or two and their index entries (docs/step-log.md, D0 and D). An LLM call is written
 * as an `llm_calls` row instead, the columns the readers across runs aggregate.
 */
export const isStoredSpan = (span: Pick<SpanRecord, "kind">): boolean =>
  span.kind !== "step" && span.kind !== "llm";

/**
 * Every span a run's commits yield (one element of `commits` each, oldest first), exactly as
 * `spansForCommit` derives them when written, but the root. Readers take these where no stored
 * span has the same id, so they need not know which kinds a commit stored when the run was
 * written: the step and LLM spans since step-log phase D (earlier runs stored their LLM spans).
 * The root is left out because it is always stored and its settled state is not in the events;
 * a takeover's resume span is stored and not derivable (nothing in the log says which worker
 * resumed). With the run's threads, spans of a hybrid or mesh run say which part they belong to:
 * a thread's part never changes, so the latest checkpoint's threads give what the commit's own
 * checkpoint would have.
 */
export function derivedSpansOf(
  runId: string,
  commits: readonly (readonly RunEvent[])[],
  threads?: RunState["threads"],
): SpanRecord[] {
  const checkpoint = threads ? { threads } : undefined;
  return commits.flatMap((events) =>
    spansForCommit(runId, events, undefined, checkpoint).spans.filter((span) => span.kind !== "run"),
  );
}

/**
 * The span ids a commit's spans share, each hashed once: the root, and the step span that the
 * step's other spans hang under (the root for a commit without a step, such as a resume).
 */
interface CommitIds {
  root: string;
  parent: string;
  /** The step whose span `parent` is, if any. */
  step: number | null;
}

function commitIds(runId: string, events: readonly RunEvent[]): CommitIds {
  const root = rootSpanId(runId);
  const stepStart = events.find((e) => e.type === "step_started");
  if (stepStart?.type !== "step_started") return { root, parent: root, step: null };
  return { root, parent: spanId(runId, `step:${stepStart.step}`), step: stepStart.step };
}

function spanOf(
  runId: string,
  e: RunEvent,
  ids: CommitIds,
  batch: readonly RunEvent[],
): SpanRecord | null {
  const { root, parent } = ids;
  // Not for the run and step spans, which have ids of their own: hashing is most of this function.
  const id =
    e.type === "run_started" || e.type === "step_started" ? "" : spanId(runId, `event:${e.seq}`);
  switch (e.type) {
    case "run_started":
      return base(root, null, "run", `run ${e.chain}`, e, {
        status: "unset",
        endedAt: null,
        attributes: { "switchyard.chain": e.chain },
        payload: { input: e.input },
      });
    case "step_started":
      return base(
        ids.step === e.step ? parent : spanId(runId, `step:${e.step}`),
        root,
        "step",
        `step ${e.step}`,
        e,
        {
          endedAt: lastEventAt(batch) ?? e.at,
          status: batch.some(isErrorEvent) ? "error" : "ok",
          attributes: { "switchyard.step": e.step, "switchyard.threads": e.threads.length },
        },
      );
    case "llm_call": {
      const { kind: _kind, cachedInputTokens: _cached, spanId: _id, ...call } = llmCallOf(e, id);
      return base(id, parent, "llm", `chat ${call.model ?? e.tier}`, e, {
        ...call,
        attributes: {
          ...genAiAttributes(e, call.model),
          ...(e.downgradedFrom ? { "switchyard.tier.downgraded_from": e.downgradedFrom } : {}),
          ...(e.context
            ? {
                "switchyard.context.policy": e.context.policy,
                "switchyard.context.saved_tokens": e.context.savedTokens,
              }
            : {}),
        },
        payload: {
          finish: e.finish,
          input: e.input ?? null,
          output: e.output ?? null,
          error: e.error ?? null,
        },
      });
    }
    case "tool_call":
      return base(id, parent, "tool", `execute_tool ${e.tool}`, e, {
        startedAt: e.startedAt,
        endedAt: e.finishedAt,
        status: e.output.ok ? "ok" : "error",
        error: e.output.ok ? null : e.output.error,
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": e.tool,
          "gen_ai.tool.call.id": e.key,
          "switchyard.replayed": e.replayed,
        },
        payload: { input: e.input, output: e.output },
      });
    case "tool_refused":
      return base(id, parent, "guardrail", `guardrail refused ${e.tool}`, e, {
        status: "error",
        error: e.reason,
        attributes: { "gen_ai.tool.name": e.tool, "switchyard.reason": e.reason },
        payload: { input: e.input, detail: e.detail ?? null },
      });
    case "handoff":
      return base(id, parent, "handoff", `handoff ${e.from} → ${e.to}`, e, {
        attributes: { "switchyard.handoff.from": e.from, "switchyard.handoff.to": e.to },
        payload: { context: e.context },
      });
    case "validation_failed":
      return base(id, parent, "validation", "validation failed", e, {
        status: "error",
        error: e.issues.join("; ").slice(0, 500),
        attributes: { "switchyard.attempt": e.attempt },
        payload: { issues: e.issues },
      });
    case "retry":
      return base(id, parent, "retry", `retry (${e.reason})`, e, {
        attributes: {
          "switchyard.attempt": e.attempt,
          "switchyard.reason": e.reason,
          ...(e.delayMs === undefined ? {} : { "switchyard.delay_ms": e.delayMs }),
        },
      });
    case "fallback":
      return base(id, parent, "fallback", `fallback ${e.from} → ${e.to}`, e, {
        // The call could not be made; the ladder answered instead, so the step is not an error.
        attributes: {
          "switchyard.fallback.from": e.from,
          "switchyard.fallback.to": e.to,
          "switchyard.fallback.rung": e.rung,
          "switchyard.reason": e.reason,
        },
        payload: { detail: e.detail ?? null },
      });
    case "escalated":
      return base(id, root, "escalation", `escalated: ${e.reason}`, e, {
        attributes: { "switchyard.reason": e.reason },
        payload: { detail: e.detail ?? null },
      });
    case "interrupted":
      return base(id, root, "human", "waiting for a person", e, {
        attributes: { "switchyard.interruptions": e.interruptionIds.length },
      });
    case "human_decision":
      return base(
        id,
        root,
        "human",
        e.approved ? "approved by a person" : "rejected by a person",
        e,
        {
          attributes: { "switchyard.approved": e.approved },
          payload: { note: e.note ?? null },
        },
      );
    case "handed_back":
      return base(id, root, "human", "handed back by a person", e, {
        attributes: { "switchyard.threads": e.threads.length },
        payload: { note: e.note },
      });
    case "budget_downgraded":
      return base(id, parent, "guardrail", "budget 80% used: cheaper tier", e, {
        attributes: {
          "switchyard.budget.spent_usd": e.spentUsd,
          "switchyard.budget.limit_usd": e.limitUsd,
        },
      });
    case "budget_exhausted":
      return base(id, parent, "guardrail", `${e.scope} budget exhausted`, e, {
        status: "error",
        error:
          e.outcome === "best_answer"
            ? "answered with the best answer so far"
            : "escalated to a person",
        attributes: {
          "switchyard.budget.scope": e.scope,
          "switchyard.budget.spent_usd": e.spentUsd,
          "switchyard.budget.limit_usd": e.limitUsd,
          "switchyard.budget.outcome": e.outcome,
        },
      });
    case "cache_hit":
      // Not an llm span: no call was made, so it adds no tokens, cost or latency to the trace.
      return base(id, parent, "cache", `cache hit (${e.match})`, e, {
        model: e.model,
        attributes: {
          "switchyard.cache.hit": true,
          "switchyard.cache.match": e.match,
          "switchyard.cache.similarity": e.similarity,
          "switchyard.cache.saved_usd": e.savedUsd,
          "switchyard.cache.age_ms": e.ageMs,
          ...(e.agent ? { "gen_ai.agent.name": e.agent } : {}),
        },
        ...(e.output === undefined ? {} : { payload: { output: e.output } }),
      });
    case "model_routed":
      // The router's own call is an llm span beside it; this span is the decision.
      return base(id, parent, "routing", `route ${e.agent ?? "agent"} → ${e.tier}`, e, {
        tier: e.tier,
        attributes: {
          "switchyard.routing.tier": e.tier,
          "switchyard.routing.reason": e.reason,
          "switchyard.routing.range": `${e.range.min}..${e.range.max}`,
          "switchyard.routing.by": e.by,
          ...(e.agent ? { "gen_ai.agent.name": e.agent } : {}),
        },
        payload: { reason: e.reason },
      });
    case "published":
    case "context_write":
    case "sub_problem_skipped":
    case "conflict_resolved": {
      const { kind, name, ...over } = coordinationSpan(e);
      return base(id, parent, kind, name, e, over);
    }
    case "failed":
      return base(id, root, "escalation", "failed", e, {
        status: "error",
        error: `${e.error.category}: ${e.error.message}`,
      });
    default:
      return null;
  }
}

function isErrorEvent(e: RunEvent): boolean {
  return (
    (e.type === "llm_call" && Boolean(e.error)) ||
    (e.type === "tool_call" && !e.output.ok) ||
    e.type === "tool_refused" ||
    e.type === "validation_failed" ||
    e.type === "failed"
  );
}

/** OpenTelemetry GenAI semantic-convention attributes of an LLM call. */
function genAiAttributes(e: Extract<RunEvent, { type: "llm_call" }>, model: string | null) {
  return {
    ...columnAttributes({
      kind: "llm",
      model,
      agent: e.agent,
      tier: e.tier,
      inputTokens: e.usage.inputTokens,
      outputTokens: e.usage.outputTokens,
    }),
    ...(e.usage.cachedInputTokens
      ? { "gen_ai.usage.cache_read.input_tokens": e.usage.cachedInputTokens }
      : {}),
    "switchyard.attempt": e.attempt,
    ...(e.error ? { "error.type": e.error.kind } : {}),
  };
}

/** The span columns that attributes can be derived from. */
export type AttributeColumns = Pick<
  SpanRecord,
  "model" | "agent" | "tier" | "inputTokens" | "outputTokens"
> & {
  kind: string;
};

/**
 * The attributes of an LLM span that only restate its columns (model, tokens, agent, tier). They
 * are not stored (about 300 bytes of JSON per call, written with every step): `storedAttributes`
 * drops them and readers add them back with `spanAttributes`.
 */
export function columnAttributes(span: AttributeColumns): Record<string, string | number> {
  if (span.kind !== "llm") return {};
  const model = span.model;
  return {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": providerOf(model),
    ...(model ? { "gen_ai.request.model": model, "gen_ai.response.model": model } : {}),
    ...(span.inputTokens !== null ? { "gen_ai.usage.input_tokens": span.inputTokens } : {}),
    ...(span.outputTokens !== null ? { "gen_ai.usage.output_tokens": span.outputTokens } : {}),
    ...(span.agent ? { "gen_ai.agent.name": span.agent } : {}),
    ...(span.tier ? { "switchyard.tier": span.tier } : {}),
  };
}

/** A span's attributes as stored: without those its columns restate (`columnAttributes`). */
export function storedAttributes(span: SpanRecord): Record<string, string | number | boolean> {
  const derived = columnAttributes(span);
  const stored: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (derived[key] !== value) stored[key] = value;
  }
  return stored;
}

/** A stored span's full attributes: the derived ones, then what the row holds (which wins). */
export function spanAttributes<T>(
  columns: AttributeColumns,
  stored: Record<string, T>,
): Record<string, T | string | number> {
  return { ...columnAttributes(columns), ...stored };
}

function providerOf(model: string | null): string {
  if (!model) return "unknown";
  if (model.startsWith("simulator/")) return "switchyard.simulator";
  if (model.startsWith("claude")) return "anthropic";
  if (/^(gpt|o\d)/.test(model)) return "openai";
  return "openai_compatible";
}

function base(
  spanId: string,
  parentSpanId: string | null,
  kind: SpanKind,
  name: string,
  e: RunEvent,
  over: Partial<SpanRecord>,
): SpanRecord {
  return {
    spanId,
    parentSpanId,
    name,
    kind,
    status: "ok",
    agent: e.agent,
    agentVersion: e.agentVersion,
    model: null,
    tier: null,
    startedAt: e.at,
    endedAt: e.at,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    error: null,
    attributes: {},
    payload: null,
    eventSeq: e.seq,
    ...over,
  };
}

/**
 * How a span's payload is stored. A payload derived from one event is the event's own data again
 * (an LLM call's input and output, a tool's arguments and result), so the row keeps a reference
 * and the detail view derives the payload from the event (`payloadOfEvent`): a step writes its
 * inputs and outputs once, not twice.
 */
export function storedPayload(span: Pick<SpanRecord, "payload" | "eventSeq">): unknown {
  if (span.payload === null || span.payload === undefined) return null;
  return span.eventSeq === null ? span.payload : { $event: span.eventSeq };
}

/** The event a stored payload refers to, if it is a reference. */
export function payloadEventSeq(stored: unknown): number | null {
  if (typeof stored !== "object" || stored === null || Array.isArray(stored)) return null;
  const keys = Object.keys(stored);
  const seq = (stored as { $event?: unknown }).$event;
  return keys.length === 1 && typeof seq === "number" ? seq : null;
}

/** The payload of the span `event` yields, as `spansForCommit` derives it. */
export function payloadOfEvent(runId: string, event: RunEvent): unknown {
  return spanOf(runId, event, commitIds(runId, []), [event])?.payload ?? null;
}
