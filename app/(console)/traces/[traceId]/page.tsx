import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { PageHeader } from "@/components/ui/page-header";
import { RunStatusBadge } from "@/components/ui/run-status-badge";
import { authorizePage } from "@/lib/auth/authorize";
import { getTrace, spanIdSchema, TRACE_MAX_SPANS, type TraceSpanDto, traceIdSchema } from "@/lib/dal/traces";
import { formatUtc } from "@/lib/format";
import { formatCost, formatCount, formatDuration } from "../_components/format";
import { isRejectedSpan, spanPartOf, summarizeCoordination } from "../_components/coordination";
import { SpanDetail } from "../_components/span-detail";
import { partTones, spanKindTones } from "../_components/span-kinds";
import { Waterfall, type WaterfallSpan } from "../_components/waterfall";
import { layoutWaterfall } from "../_components/waterfall-layout";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Trace" };

const searchSchema = z.object({ span: spanIdSchema.optional().catch(undefined) });

export default async function TracePage({
  params,
  searchParams,
}: {
  params: Promise<{ traceId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await authorizePage("traces:read");
  const traceId = traceIdSchema.safeParse((await params).traceId);
  if (!traceId.success) notFound();
  const [trace, search] = await Promise.all([getTrace(traceId.data), searchParams.then((p) => searchSchema.parse(p))]);
  if (!trace) notFound();

  const layout = layoutWaterfall(trace.spans);
  const selected = trace.spans.find((s) => s.id === search.span) ?? null;
  const rows = layout.rows.map((r) => ({ ...r, span: toWaterfallSpan(r.span) }));
  const kinds = Object.entries(spanKindTones).filter(([kind]) => trace.spans.some((s) => s.kind === kind));
  const parts = summarizeCoordination(trace.spans);

  return (
    <>
      <Link href="/traces" className="mb-3 inline-block text-sm text-indigo-700 underline">
        ← All traces
      </Link>
      <PageHeader title="Trace" />
      <div className="-mt-4 mb-6 rounded-xl border border-slate-200 bg-white px-4 py-3">
        <div className="mb-3 flex flex-wrap items-center gap-3">
          <span className="font-mono text-sm break-all text-slate-800">{trace.traceId}</span>
          <RunStatusBadge status={trace.status} />
          <AutoRefresh active={trace.status === "running"} />
        </div>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr_max-content_1fr_max-content_1fr]">
          <dt className="text-slate-500">Conversation</dt>
          <dd>
            <Link href={`/conversations/${trace.conversationId}`} className="font-mono text-xs text-indigo-700 underline">
              {trace.conversationId}
            </Link>
          </dd>
          <dt className="text-slate-500">Run</dt>
          <dd className="font-mono text-xs leading-5">{trace.runId}</dd>
          <dt className="text-slate-500">Chain</dt>
          <dd className="font-mono text-xs leading-5">{trace.chain}</dd>
          <dt className="text-slate-500">Started</dt>
          <dd>
            <time dateTime={trace.startedAt}>{formatUtc(trace.startedAt)}</time>
          </dd>
          <dt className="text-slate-500">Duration</dt>
          <dd className="tabular-nums">{trace.durationMs === null ? "still running" : formatDuration(trace.durationMs)}</dd>
          <dt className="text-slate-500">Cost</dt>
          <dd className="tabular-nums">{formatCost(trace.costUsd)}</dd>
          <dt className="text-slate-500">Tokens in / out</dt>
          <dd className="tabular-nums">
            {formatCount(trace.inputTokens)} / {formatCount(trace.outputTokens)}
          </dd>
          <dt className="text-slate-500">LLM calls</dt>
          <dd className="tabular-nums">{formatCount(trace.llmCalls)}</dd>
          <dt className="text-slate-500">Errors</dt>
          <dd className={`tabular-nums ${trace.errors > 0 ? "font-medium text-red-700" : ""}`}>{formatCount(trace.errors)}</dd>
          <dt className="text-slate-500">Agents</dt>
          <dd className="font-mono text-xs leading-5">{trace.agents.join(", ") || "—"}</dd>
          <dt className="text-slate-500">Models</dt>
          <dd className="font-mono text-xs leading-5 sm:col-span-3">{trace.models.join(", ") || "—"}</dd>
        </dl>
      </div>

      <section aria-labelledby="waterfall-heading">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-3">
          <h2 id="waterfall-heading" className="text-lg font-semibold">
            Waterfall
          </h2>
          <ul className="flex flex-wrap gap-3 text-xs text-slate-600" aria-label="Span kinds">
            {kinds.map(([kind, tone]) => (
              <li key={kind} className="flex items-center gap-1">
                <span aria-hidden className={`inline-block h-2.5 w-4 rounded-sm ${tone.bar}`} />
                {kind}
              </li>
            ))}
            <li className="flex items-center gap-1">
              <span aria-hidden className="inline-block h-2.5 w-4 rounded-sm bg-red-500 ring-2 ring-red-300" />
              error
            </li>
          </ul>
        </div>
        {parts.length > 0 ? (
          <ul aria-label="Coordination parts" className="mb-3 flex flex-wrap gap-2 text-xs">
            {parts.map((p) => (
              <li
                key={p.label}
                data-part={p.part}
                className={`rounded-lg px-2 py-1 ring-1 ${partTones[p.part] ?? partTones.mixed}`}
              >
                <span className="font-medium">{p.part === "orchestrated" ? "Orchestrated" : `Peer group ${p.group ?? ""}`}</span>
                {" · "}
                {p.agents.join(", ") || "no agent"} · {formatCount(p.spans)} spans
              </li>
            ))}
          </ul>
        ) : null}
        {trace.spansTruncated ? (
          <p className="mb-3 text-sm text-amber-800">
            This trace has more than {formatCount(TRACE_MAX_SPANS)} spans; only the first {formatCount(TRACE_MAX_SPANS)} by
            start time are shown.
          </p>
        ) : null}
        {rows.length === 0 ? (
          <p className="text-sm text-slate-500">No spans recorded for this trace yet.</p>
        ) : (
          <>
            <p className="mb-2 text-xs text-slate-500">Open a span to see its attributes and its inputs and outputs.</p>
            <Waterfall
              traceId={trace.traceId}
              rows={rows}
              ticks={layout.ticks}
              totalMs={layout.totalMs}
              selectedId={selected?.id ?? null}
              detail={selected ? <SpanDetail traceId={trace.traceId} span={selected} /> : null}
            />
          </>
        )}
      </section>
    </>
  );
}

/** Only what a row shows goes to the client. */
function toWaterfallSpan(s: TraceSpanDto): WaterfallSpan {
  const part = spanPartOf(s.attributes);
  return {
    part: part?.part ?? null,
    group: part?.group ?? null,
    rejected: isRejectedSpan(s.attributes),
    id: s.id,
    parentId: s.parentId,
    name: s.name,
    kind: s.kind,
    status: s.status,
    agent: s.agent,
    agentVersion: s.agentVersion,
    model: s.model,
    startOffsetMs: s.startOffsetMs,
    durationMs: s.durationMs,
    error: s.error,
  };
}
