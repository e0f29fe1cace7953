import { hostname } from "node:os";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { type Resource, resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Database } from "@/db/client";
import { getEnv, isBuildPhase } from "@/lib/env";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import { advanceCursor, type CursorLimits, defaultCursorLimits } from "./cursor";
import { hasValidIds, isComplete, type StoredSpan, toReadableSpan } from "./span-mapper";
import {
  acquireLease,
  listDerivedSpans,
  markExported,
  listLateSpans,
  listSpansAfter,
  releaseLease,
  saveCursor,
} from "./store";

export interface TraceExporterOptions {
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** resource `service.name` (OTEL_SERVICE_NAME, default "switchyard"). */
  serviceName?: string;
  /** Pause between polls when there is nothing left to send. */
  intervalMs?: number;
  /** Spans per OTLP request (at most 500). */
  batchSize?: number;
  /** How long this process keeps the exporter lease without renewing it. */
  leaseMs?: number;
  /** First and longest pause after a failed export or database error. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per OTLP request. */
  timeoutMs?: number;
  cursorLimits?: Partial<CursorLimits>;
  /** Tests inject an exporter; by default an OTLPTraceExporter (JSON over HTTP). */
  spanExporter?: SpanExporter;
}

export type StopTraceExporter = () => Promise<void>;

export const DEFAULT_SERVICE_NAME = "switchyard";

/** A collector that answers 400 to the same batch this often is rejecting its content: skip it. */
const MAX_REJECTIONS = 3;

/**
 * Starts exporting stored spans over OTLP/HTTP in the background and returns a function that
 * stops it. Without an endpoint (option or OTEL_EXPORTER_OTLP_ENDPOINT) nothing starts.
 *
 * The exporter reads spans that are already committed, so the run loop never waits on it: a slow
 * or absent collector delays export, not conversations. Across processes one exporter at a time
 * holds a lease in `settings` (row `otlp_exporter`, together with the cursor); the others stand
 * by and take over when it stops or its lease runs out. Delivery is at least once: a process that
 * loses its lease between sending a batch and saving the cursor may see the batch sent again.
 * Payloads (inputs, outputs, tool arguments) are never read, so they cannot be exported.
 */
export function startTraceExporter(db: Database, options: TraceExporterOptions = {}): StopTraceExporter {
  const env = getEnv();
  const endpoint = options.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || isBuildPhase()) return () => Promise.resolve();
  const exporter = new TraceExportLoop(db, endpoint, options, options.serviceName ?? env.OTEL_SERVICE_NAME ?? DEFAULT_SERVICE_NAME);
  exporter.start();
  return () => exporter.stop();
}

/** `<endpoint>/v1/traces`, per the OTLP exporter spec for the signal-less endpoint variable. */
export function tracesUrl(endpoint: string): string {
  return new URL("v1/traces", endpoint.endsWith("/") ? endpoint : `${endpoint}/`).toString();
}

class TraceExportLoop {
  private readonly owner = `${hostname()}:${process.pid}:${newId("otx").slice(-8)}`;
  private readonly exporter: SpanExporter;
  private readonly resource: Resource;
  private readonly limits: CursorLimits;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private running = false;
  private wake: (() => void) | null = null;
  private done: Promise<void> = Promise.resolve();
  private holding = false;
  private rejections = 0;

  constructor(
    private readonly db: Database,
    endpoint: string,
    private readonly options: TraceExporterOptions,
    serviceName: string,
  ) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.batchSize = Math.min(Math.max(options.batchSize ?? 500, 1), 500);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.limits = { ...defaultCursorLimits, ...options.cursorLimits };
    this.resource = resourceFromAttributes({ "service.name": serviceName });
    this.exporter =
      options.spanExporter ??
      new OTLPTraceExporter({ url: tracesUrl(endpoint), timeoutMillis: options.timeoutMs ?? 10_000 });
  }

  start(): void {
    this.running = true;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
    if (this.holding) await releaseLease(this.db, this.owner).catch(() => undefined);
    await this.exporter.shutdown().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let pause = this.intervalMs;
      try {
        const more = await this.tick();
        failures = 0;
        if (more) pause = 0;
      } catch (error) {
        failures += 1;
        pause = this.backoff(failures);
        log("warn", "otlp export failed; retrying", { owner: this.owner, failures, retryInMs: pause, error: messageOf(error) });
      }
      if (this.running && pause > 0) await this.sleep(pause);
    }
  }

  /** One batch: returns true when more spans are waiting (poll again at once). */
  private async tick(): Promise<boolean> {
    const cursor = await acquireLease(this.db, this.owner, this.leaseMs);
    if (!cursor) {
      if (this.holding) log("info", "otlp exporter lease taken by another process", { owner: this.owner });
      this.holding = false;
      return false;
    }
    if (!this.holding) log("info", "otlp exporter active", { owner: this.owner, position: cursor.position });
    this.holding = true;
    const late = await listLateSpans(this.db, cursor, this.batchSize);
    const room = this.batchSize - late.length;
    const fresh = room > 0 ? await listSpansAfter(this.db, cursor.position, room) : [];
    const step = advanceCursor(cursor, fresh.map(withCompleteness), late.map(withCompleteness), Date.now(), this.limits);
    if (step.dropped > 0) log("warn", "otlp exporter cursor full; oldest holes or open spans dropped", { dropped: step.dropped });
    const derived = await listDerivedSpans(this.db, step.send);
    const { valid, invalid } = partition([...step.send, ...derived.spans]);
    if (invalid > 0) log("warn", "otlp exporter skipped spans with malformed ids", { count: invalid });
    // The derived spans (steps and LLM calls) can take a batch past the OTLP request size.
    for (let i = 0; i < valid.length; i += this.batchSize) await this.send(valid.slice(i, i + this.batchSize));
    await markExported(this.db, derived.marks);
    // Idle ticks change nothing: acquiring the lease already renewed it, so skip the write.
    if (JSON.stringify(step.next) === JSON.stringify(cursor)) return false;
    if (!(await saveCursor(this.db, this.owner, this.leaseMs, step.next))) {
      this.holding = false;
      return false;
    }
    return room === 0 || fresh.length === room;
  }

  private async send(rows: readonly StoredSpan[]): Promise<void> {
    const batch: ReadableSpan[] = rows.map((r) => toReadableSpan(r, this.resource));
    const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) =>
      this.exporter.export(batch, resolve),
    );
    if (result.code === ExportResultCode.SUCCESS) {
      this.rejections = 0;
      return;
    }
    if (isRejection(result.error) && ++this.rejections >= MAX_REJECTIONS) {
      // The collector will never take this batch; holding it would stop export for good.
      log("error", "otlp collector rejected a batch repeatedly; skipping it", { spans: batch.length, error: messageOf(result.error) });
      this.rejections = 0;
      return;
    }
    throw result.error ?? new Error("OTLP export failed");
  }

  private backoff(failures: number): number {
    const min = this.options.minBackoffMs ?? 1_000;
    const max = this.options.maxBackoffMs ?? 60_000;
    const ceiling = Math.min(max, min * 2 ** Math.min(failures - 1, 16));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // An idle exporter must not keep a script or test process alive.
      timer.unref();
      this.wake = done;
    });
  }
}

function withCompleteness(span: StoredSpan) {
  return Object.assign(span, { complete: isComplete(span) });
}

function partition(rows: readonly StoredSpan[]) {
  const valid = rows.filter(hasValidIds);
  return { valid, invalid: rows.length - valid.length };
}

/** An HTTP 400 from the collector: the request itself is refused, retrying cannot help. */
function isRejection(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === 400;
}

function messageOf(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) return `${error.message}: ${error.cause.message}`;
  return error instanceof Error ? error.message : String(error);
}
