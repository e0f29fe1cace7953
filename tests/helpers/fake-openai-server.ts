import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI Chat Completions wire format
 * (POST /v1/chat/completions) and, for the Anthropic adapter, the Messages format
 * (POST /v1/messages). Replies are format-neutral and scripted per test: a queue, or a function
 * of the request (e.g. by agent, recognised from the system prompt). Every request is recorded.
 */

export interface Usage {
  readonly input: number;
  readonly output: number;
  /** Of `input`, tokens the provider served from its prompt cache. */
  readonly cached?: number;
}

export type FakeReply =
  | {
      readonly kind: "message";
      readonly text?: string;
      /** `args` as a string is sent verbatim (to script malformed arguments). */
      readonly toolCalls?: ReadonlyArray<{ name: string; args: unknown; id?: string }>;
      readonly usage?: Usage;
    }
  | {
      readonly kind: "error";
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: unknown;
    }
  /** Never answers: the client's timeout must fire. */
  | { readonly kind: "hang" }
  /** A response whose body is sent as is (e.g. not JSON at all). */
  | { readonly kind: "raw"; readonly status: number; readonly body: string };

const defaultUsage: Usage = { input: 11, output: 7 };

/** Reply builders. */
export const reply = {
  text: (text: string, usage?: Usage): FakeReply => ({ kind: "message", text, usage }),
  json: (value: unknown, usage?: Usage): FakeReply => ({
    kind: "message",
    text: JSON.stringify(value),
    usage,
  }),
  toolCall: (name: string, args: unknown, usage?: Usage): FakeReply => ({
    kind: "message",
    toolCalls: [{ name, args }],
    usage,
  }),
  rateLimited: (retryAfter: string, headers: Record<string, string> = {}): FakeReply => ({
    kind: "error",
    status: 429,
    headers: { "retry-after": retryAfter, ...headers },
    body: {
      error: {
        message: "Rate limit reached for requests",
        type: "requests",
        code: "rate_limit_exceeded",
      },
    },
  }),
  serverError: (status = 500): FakeReply => ({
    kind: "error",
    status,
    body: {
      error: {
        message: "The server had an error while processing your request.",
        type: "server_error",
      },
    },
  }),
  hang: (): FakeReply => ({ kind: "hang" }),
  /** A 200 whose body is cut-off JSON. */
  malformedBody: (): FakeReply => ({
    kind: "raw",
    status: 200,
    body: '{"id":"chatcmpl-x","choices":[{"message":',
  }),
  /** A well-formed completion whose content is not JSON, for an agent that must answer in JSON. */
  notJson: (): FakeReply => ({
    kind: "message",
    text: "Sure! Your answer is: reset the password {reply:",
  }),
};

export type FaultKind = "rate_limit" | "server_error" | "timeout" | "malformed_json";
export const faultKinds: readonly FaultKind[] = ["rate_limit", "server_error", "timeout", "malformed_json"];

/** The reply that stages a fault on the wire: a 429, a 500, no answer, or a body that is not JSON. */
export function faultReply(kind: FaultKind, random: () => number = Math.random, wantsJson = true): FakeReply {
  switch (kind) {
    case "rate_limit":
      return reply.rateLimited("1");
    case "server_error":
      return reply.serverError(random() < 0.5 ? 500 : 503);
    case "timeout":
      return reply.hang();
    case "malformed_json":
      // Both ways a provider breaks JSON: a cut-off HTTP body, or (for a call that asked for a JSON
      // answer) a completion that is not JSON.
      return wantsJson && random() < 0.5 ? reply.notJson() : reply.malformedBody();
  }
}

/**
 * Wraps a responder so that a share (`rate`) of requests fail instead, with a kind drawn evenly
 * from `kinds`; every injected fault is counted by kind (provider-faults drill).
 */
export function withFaults(
  responder: Responder,
  options: {
    rate: number;
    kinds?: readonly FaultKind[];
    random?: () => number;
    /** Whether the call expects a JSON answer (default: it sent a response_format). */
    wantsJson?: (request: RecordedRequest) => boolean;
  },
): { responder: Responder; injected: Record<FaultKind, number>; answered: () => number } {
  const random = options.random ?? Math.random;
  const kinds = options.kinds ?? faultKinds;
  const injected: Record<FaultKind, number> = { rate_limit: 0, server_error: 0, timeout: 0, malformed_json: 0 };
  let answered = 0;
  return {
    injected,
    answered: () => answered,
    responder: (request) => {
      if (random() < options.rate) {
        const kind = kinds[Math.floor(random() * kinds.length)] ?? "server_error";
        injected[kind] += 1;
        const wantsJson = options.wantsJson?.(request) ?? request.body.response_format !== undefined;
        return faultReply(kind, random, wantsJson);
      }
      answered += 1;
      return responder(request);
    },
  };
}

export interface RecordedRequest {
  readonly format: "openai" | "anthropic";
  readonly model: string;
  readonly system: string | undefined;
  readonly tools: string[];
  /** The parsed request body as the client sent it. */
  readonly body: Record<string, unknown>;
  readonly headers: IncomingMessage["headers"];
}

export type Responder = (request: RecordedRequest) => FakeReply | undefined;

export interface FakeProviderServer {
  /** Base URL for the OpenAI client, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests nothing was scripted for (answered with a 500 that names the problem). */
  readonly unexpected: RecordedRequest[];
  /** Queued replies win over the responder, in order. */
  enqueue(...replies: FakeReply[]): void;
  respond(responder: Responder | undefined): void;
  /** Forgets requests, queue and responder (between tests). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A responder that answers each agent from its own queue, recognising the agent by its
 * instructions at the start of the system prompt.
 */
export function scriptByAgent(
  agents: ReadonlyArray<{ name: string; instructions: string }>,
  script: Record<string, FakeReply[]>,
): Responder {
  const queues = new Map(Object.entries(script).map(([name, replies]) => [name, [...replies]]));
  return (request) => {
    const agent = agents.find((a) => request.system?.startsWith(a.instructions));
    return agent ? queues.get(agent.name)?.shift() : undefined;
  };
}

/** The agent a request was made for, by its system prompt. */
export function agentOf(
  request: RecordedRequest,
  agents: ReadonlyArray<{ name: string; instructions: string }>,
): string | undefined {
  return agents.find((a) => request.system?.startsWith(a.instructions))?.name;
}

export async function startFakeProviderServer(): Promise<FakeProviderServer> {
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  let queue: FakeReply[] = [];
  let responder: Responder | undefined;
  let ids = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { message: `fake server: ${String(error)}` } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const format =
      req.url === "/v1/chat/completions"
        ? "openai"
        : req.url === "/v1/messages"
          ? "anthropic"
          : undefined;
    if (req.method !== "POST" || !format)
      return send(res, 404, { error: { message: "not found" } });
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const recorded = record(format, body, req.headers);
    requests.push(recorded);
    const next = queue.shift() ?? responder?.(recorded);
    if (!next) {
      unexpected.push(recorded);
      return send(res, 500, {
        error: { message: `fake server: nothing scripted for this request` },
      });
    }
    const id = ++ids;
    switch (next.kind) {
      case "hang":
        return; // the client aborts; close() drops the socket
      case "raw":
        res.writeHead(next.status, { "content-type": "application/json" });
        res.end(next.body);
        return;
      case "error":
        return send(res, next.status, next.body ?? {}, next.headers);
      case "message":
        return send(
          res,
          200,
          format === "openai"
            ? openAiCompletion(next, recorded.model, id)
            : anthropicMessage(next, recorded.model, id),
        );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    unexpected,
    enqueue: (...replies) => queue.push(...replies),
    respond: (next) => {
      responder = next;
    },
    reset: () => {
      requests.length = 0;
      unexpected.length = 0;
      queue = [];
      responder = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function record(
  format: "openai" | "anthropic",
  body: Record<string, unknown>,
  headers: IncomingMessage["headers"],
): RecordedRequest {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<Record<string, unknown>>) : [];
  const toolNames = tools.map((tool) => {
    const fn = tool.function as { name?: string } | undefined;
    return String(fn?.name ?? tool.name);
  });
  return {
    format,
    model: String(body.model),
    system: systemOf(format, body),
    tools: toolNames,
    body,
    headers,
  };
}

function systemOf(
  format: "openai" | "anthropic",
  body: Record<string, unknown>,
): string | undefined {
  if (format === "anthropic") {
    const system = body.system;
    if (typeof system === "string") return system;
    return Array.isArray(system)
      ? (system as Array<{ text?: string }>).map((part) => part.text ?? "").join("")
      : undefined;
  }
  const messages = (body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const system = messages.find((m) => m.role === "system" || m.role === "developer");
  return typeof system?.content === "string" ? system.content : undefined;
}

function openAiCompletion(
  message: Extract<FakeReply, { kind: "message" }>,
  model: string,
  id: number,
) {
  const usage = message.usage ?? defaultUsage;
  const toolCalls = (message.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${id}_${i}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.args === "string" ? call.args : JSON.stringify(call.args),
    },
  }));
  return {
    id: `chatcmpl-${id}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: message.text ?? null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: {
      prompt_tokens: usage.input,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.output,
      ...(usage.cached !== undefined ? { prompt_tokens_details: { cached_tokens: usage.cached } } : {}),
    },
  };
}

function anthropicMessage(
  message: Extract<FakeReply, { kind: "message" }>,
  model: string,
  id: number,
) {
  const usage = message.usage ?? defaultUsage;
  const content: unknown[] = [];
  if (message.text) content.push({ type: "text", text: message.text });
  (message.toolCalls ?? []).forEach((call, i) => {
    const input: unknown = typeof call.args === "string" ? JSON.parse(call.args) : call.args;
    content.push({ type: "tool_use", id: call.id ?? `toolu_${id}_${i}`, name: call.name, input });
  });
  return {
    id: `msg_${id}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: message.toolCalls?.length ? "tool_use" : "end_turn",
    stop_sequence: null,
    // Anthropic counts cache reads apart from `input_tokens`.
    usage: {
      input_tokens: usage.input - (usage.cached ?? 0),
      output_tokens: usage.output,
      ...(usage.cached !== undefined ? { cache_read_input_tokens: usage.cached } : {}),
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
