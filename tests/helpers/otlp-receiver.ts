import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

/**
 * A loopback OTLP/HTTP trace receiver for tests: accepts `POST /v1/traces` with the OTLP JSON
 * encoding (what @opentelemetry/exporter-trace-otlp-http sends), validates the request shape and
 * records every span with its resource attributes. Anything else gets the status a collector
 * would answer (404, 405, 415, 400), so a wrong URL or encoding fails the test.
 */
const anyValueSchema = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.number(), z.string()]).optional(),
  doubleValue: z.number().optional(),
});
const keyValueSchema = z.object({ key: z.string(), value: anyValueSchema });
const nanos = z.union([z.string(), z.number()]);
const spanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.number(),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: z.array(keyValueSchema).default([]),
  status: z.object({ code: z.number().optional(), message: z.string().optional() }).default({}),
});
const requestSchema = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: z.array(keyValueSchema).default([]) }).optional(),
      scopeSpans: z.array(
        z.object({
          scope: z.object({ name: z.string(), version: z.string().optional() }).optional(),
          spans: z.array(spanSchema).default([]),
        }),
      ),
    }),
  ),
});

export type AttributeValue = string | number | boolean;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  statusCode: number;
  statusMessage: string | undefined;
  attributes: Record<string, AttributeValue>;
  resource: Record<string, AttributeValue>;
  scope: string | undefined;
}

export interface OtlpReceiver {
  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT would be set (no `/v1/traces`). */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Requests accepted so far (including failed-on-purpose ones). */
  requests: number;
  /** The next `count` requests are answered with `status` and not recorded. */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

function valueOf(v: z.infer<typeof anyValueSchema>): AttributeValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  throw new Error(`unsupported OTLP attribute value ${JSON.stringify(v)}`);
}

const attrs = (list: z.infer<typeof keyValueSchema>[]) =>
  Object.fromEntries(list.map((kv) => [kv.key, valueOf(kv.value)]));

const toMs = (n: string | number) => Number(BigInt(n) / 1_000n) / 1_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  const receiver = { requests: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown = {}) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url !== "/v1/traces") return reply(404, { error: "not found" });
    if (req.method !== "POST") return reply(405);
    if (!req.headers["content-type"]?.startsWith("application/json")) return reply(415);
    const text = await readBody(req);
    receiver.requests += 1;
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      return reply(failures.status, { error: "failing on purpose" });
    }
    const parsed = requestSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return reply(400, { error: parsed.error.message });
    for (const rs of parsed.data.resourceSpans) {
      const resource = attrs(rs.resource?.attributes ?? []);
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ? s.parentSpanId : null,
            name: s.name,
            kind: s.kind,
            startMs: toMs(s.startTimeUnixNano),
            endMs: toMs(s.endTimeUnixNano),
            statusCode: s.status.code ?? 0,
            statusMessage: s.status.message,
            attributes: attrs(s.attributes),
            resource,
            scope: ss.scope?.name,
          });
        }
      }
    }
    return reply(200, {});
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return receiver.requests;
    },
    failNext(count, status = 503) {
      failures = { count, status };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
