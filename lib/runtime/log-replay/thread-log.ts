import { type CachedAnswer, type ResponseCache } from "../cache/port";
import { type SpendDecision, type SpendGate } from "../budget/gate";
import { SystemFailure } from "../errors";
import { type RunEvent } from "../events";
import { type ModelInvoker, type ModelResponse, ProviderError } from "../model";
import { type LedgerEntry, type ToolLedger } from "../ports";
import { BreakerOpenError, RetriesExhaustedError } from "../resilience/errors";

/** The replay asked for something its log does not hold: the step cannot be rebuilt from it. */
export class ReplayDivergence extends SystemFailure {}

type LlmCall = Extract<RunEvent, { type: "llm_call" }>;
type Of<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;

/** One `callModel` as the log holds it: the invoker's retry notices, then its outcome. */
interface CallRecord {
  readonly agent: string | null;
  readonly notices: { attempt: number; delayMs: number }[];
  readonly call: LlmCall;
}

/**
 * The ports of one thread's turn during a replay, answered from the thread's events of the logged
 * step in the order the thread made its calls (a thread's calls are sequential; threads run
 * concurrently, which is why each gets its own). Nothing here reaches a model, a tool, the cache
 * or the shared budgets: what the log shows happened is what the replay is told.
 */
export class ThreadLog {
  private readonly calls: CallRecord[] = [];
  private readonly hits: Of<"cache_hit">[] = [];
  private next = 0;
  private breakerKey: string | undefined;
  /** Retries after the last llm_call: the attempts before a breaker opened mid-retry. */
  private trailing: CallRecord["notices"] = [];

  constructor(
    threadId: string,
    step: readonly RunEvent[],
    private readonly dailyRefusal: Of<"budget_exhausted"> | undefined,
  ) {
    let notices: CallRecord["notices"] = [];
    for (const event of step) {
      if (!("threadId" in event) || event.threadId !== threadId) continue;
      if (event.type === "retry" && event.reason === "provider_error")
        notices.push({ attempt: event.attempt, delayMs: event.delayMs ?? 0 });
      else if (event.type === "llm_call") {
        this.calls.push({ agent: event.agent, notices, call: event });
        notices = [];
      } else if (event.type === "cache_hit") this.hits.push(event);
      else if (event.type === "fallback" && event.reason === "breaker_open")
        this.breakerKey = /circuit breaker (.+) is open/.exec(event.detail ?? "")?.[1] ?? "replayed";
    }
    this.trailing = notices;
  }

  readonly invoke: ModelInvoker = async (_model, request, hooks) => {
    await Promise.resolve();
    const record = this.calls[this.next];
    if (!record) {
      if (this.breakerKey !== undefined) {
        retry(hooks, this.trailing.splice(0));
        throw new BreakerOpenError(this.breakerKey);
      }
      throw new ReplayDivergence(`${request.agent.name} called the model more often than the log shows`);
    }
    // A router's or summariser's call that a breaker or a daily budget stopped leaves no
    // llm_call (both cost the run the same: nothing); the next record is then another agent's.
    if (record.agent !== request.agent.name) throw new BreakerOpenError("replayed");
    this.next += 1;
    retry(hooks, record.notices);
    return responseOf(record.call);
  };

  readonly spendGate: SpendGate = {
    reserve: async (): Promise<SpendDecision> => {
      await Promise.resolve();
      if (this.next < this.calls.length || !this.dailyRefusal) return { ok: true, ticket: null };
      const { scope, spentUsd, limitUsd } = this.dailyRefusal;
      return { ok: false, scope, spentUsd, limitUsd };
    },
    settle: async () => {},
  };

  readonly cache: ResponseCache = {
    lookup: async (): Promise<CachedAnswer | null> => {
      await Promise.resolve();
      const hit = this.hits.shift();
      if (!hit) return null;
      const { match, similarity, output, savedUsd, ageMs } = hit;
      return { match, similarity, output, model: hit.model, savedUsd, ageMs };
    },
    store: async () => {},
  };
}

/** Re-reports logged retries: `callModel` records them from these notices as it did live. */
function retry(hooks: Parameters<ModelInvoker>[2], notices: CallRecord["notices"]): void {
  for (const notice of notices) hooks.onRetry({ ...notice, error: new ProviderError("server_error", "replayed") });
}

/** The response the model gave, or the error `callModel` got, as its llm_call recorded them. */
function responseOf(call: LlmCall): ModelResponse {
  if (call.finish === "error") throw errorOf(call);
  const { model, usage, latencyMs } = call;
  if (call.finish === "tool_calls") {
    const toolCalls = call.output as ModelResponse["toolCalls"];
    return { model: model ?? "", usage, latencyMs, toolCalls, ...(call.text !== undefined ? { text: call.text } : {}) };
  }
  return { model: model ?? "", usage, latencyMs, output: call.output };
}

const GAVE_UP = /^gave up after (\d+) attempts: ([\s\S]*)$/;

function errorOf(call: LlmCall): ProviderError {
  const { kind, message, retryAfterMs } = call.error ?? { kind: "server_error" as const, message: "" };
  const last = (text: string) => new ProviderError(kind, text, { retryAfterMs });
  const exhausted = GAVE_UP.exec(message);
  return exhausted ? new RetriesExhaustedError(Number(exhausted[1]), last(exhausted[2]!)) : last(message);
}

/**
 * The tool ledger of a replayed step: every call the step made is there, completed, with the
 * outcome its `tool_call` event recorded, so no tool runs again. A call the log does not hold
 * means the replay went another way.
 */
export class LoggedLedger implements ToolLedger {
  private readonly entries = new Map<string, LedgerEntry>();

  constructor(step: readonly RunEvent[]) {
    for (const event of step) {
      if (event.type !== "tool_call") continue;
      const { key, tool, input, output, startedAt, finishedAt } = event;
      this.entries.set(key, { key, tool, input, status: "completed", attempts: 1, startedAt, finishedAt, result: output });
    }
  }

  async begin(key: string): Promise<LedgerEntry> {
    await Promise.resolve();
    const entry = this.entries.get(key);
    if (!entry) throw new ReplayDivergence(`tool call ${key} is not in the log`);
    return entry;
  }

  async complete(key: string): Promise<void> {
    await Promise.resolve();
    throw new ReplayDivergence(`tool call ${key} ran during a replay`);
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    await Promise.resolve();
    return this.entries.get(key);
  }
}
