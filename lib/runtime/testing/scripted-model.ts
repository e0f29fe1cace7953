import {
  type Model,
  type ModelRequest,
  type ModelResponse,
  ProviderError,
  type ProviderErrorKind,
  type TokenUsage,
} from "../model";
import { type Message } from "../state";
import { type FakeClock } from "./fake-clock";

interface Timing {
  /** Reported latency; also advances the fake clock when the model has one. */
  latencyMs?: number;
  /** Real delay before answering, to let concurrent callers interleave. */
  delayMs?: number;
  usage?: TokenUsage;
}

/** One scripted answer or fault. */
export type ScriptedResponse = Timing &
  (
    | { output: unknown }
    | { text: string }
    | { toolCalls: ReadonlyArray<{ name: string; args: unknown; id?: string }>; text?: string }
    | { fault: ProviderErrorKind; message?: string; retryAfterMs?: number }
    /** Throws a plain Error: the process "dies" mid-step (nothing is committed). */
    | { crash: string }
  );

/** What the scripted model was asked, per call. */
export interface RecordedCall {
  readonly agent: string;
  readonly version: number;
  readonly tier: string;
  readonly messages: Message[];
  readonly tools: string[];
}

/**
 * A model that replays a script per agent name, in order, and records every call. Running out of
 * script throws, so a test notices an unexpected extra call.
 */
export class ScriptedModel implements Model {
  readonly calls: RecordedCall[] = [];
  private readonly queues = new Map<string, ScriptedResponse[]>();
  private callIds = 0;

  constructor(
    script: Readonly<Record<string, readonly ScriptedResponse[]>>,
    private readonly options: { clock?: FakeClock; defaultLatencyMs?: number } = {},
  ) {
    for (const [agent, responses] of Object.entries(script)) this.queues.set(agent, [...responses]);
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { agent } = request;
    this.calls.push({
      agent: agent.name,
      version: agent.version,
      tier: request.tier,
      messages: structuredClone([...request.messages]),
      tools: request.tools.map((tool) => tool.name),
    });
    const next = this.queues.get(agent.name)?.shift();
    if (!next) throw new Error(`scripted model: no response left for ${agent.name}`);
    if (next.delayMs) await new Promise((resolve) => setTimeout(resolve, next.delayMs));
    else await Promise.resolve();
    const latencyMs = next.latencyMs ?? this.options.defaultLatencyMs ?? 0;
    this.options.clock?.advance(latencyMs);
    return this.answer(next, request, latencyMs);
  }

  /** Responses still queued for an agent. */
  remaining(agent: string): number {
    return this.queues.get(agent)?.length ?? 0;
  }

  /** Calls made for one agent. */
  callsFor(agent: string): RecordedCall[] {
    return this.calls.filter((call) => call.agent === agent);
  }

  private answer(next: ScriptedResponse, request: ModelRequest, latencyMs: number): ModelResponse {
    if ("crash" in next) throw new Error(next.crash);
    if ("fault" in next) {
      throw new ProviderError(next.fault, next.message ?? `scripted ${next.fault}`, {
        retryAfterMs: next.retryAfterMs,
      });
    }
    const usage = next.usage ?? { inputTokens: 10 * request.messages.length, outputTokens: 5 };
    const base = { usage, model: `scripted-${request.tier}`, latencyMs };
    if ("output" in next) return { ...base, output: next.output };
    if ("toolCalls" in next) {
      const toolCalls = next.toolCalls.map((call) => ({
        id: call.id ?? `call_${++this.callIds}`,
        name: call.name,
        args: call.args,
      }));
      return { ...base, toolCalls, text: next.text };
    }
    return { ...base, text: next.text };
  }
}

/** A scripted handoff: the `transfer_to_<agent>` tool call a router would make. */
export function handoffTo(
  agent: string,
  context: string,
): { name: string; args: { context: string } } {
  return { name: `transfer_to_${agent}`, args: { context } };
}
