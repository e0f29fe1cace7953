import Link from "next/link";
import { Suspense } from "react";
import { getSpanPayload, type TraceSpanDto } from "@/lib/dal/traces";
import { formatUtc, prettyJson } from "@/lib/format";
import { formatAttribute, formatCost, formatCount, formatDuration } from "./format";

/**
 * An opened span: its attributes (already on the page) and, streamed in after, its payload, read
 * only now (a primary-key lookup). Everything recorded is untrusted text: React text nodes only.
 */
export function SpanDetail({ traceId, span }: { traceId: string; span: TraceSpanDto }) {
  const attributes = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section
      aria-label={`Span ${span.name}`}
      data-testid="span-detail"
      className="border-y border-indigo-100 bg-indigo-50/40 px-4 py-3 text-sm"
    >
      <div className="mb-2 flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h3 className="font-medium break-all text-slate-900">{span.name}</h3>
        <span className="font-mono text-xs text-slate-500">span {span.id}</span>
        <Link href={`/traces/${traceId}`} scroll={false} className="ml-auto text-xs text-indigo-700 underline">
          Close
        </Link>
      </div>
      <dl className="mb-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-0.5 text-xs sm:grid-cols-[max-content_1fr_max-content_1fr_max-content_1fr]">
        <Item label="Kind">{span.kind}</Item>
        <Item label="Status">{span.status}</Item>
        <Item label="Agent">{span.agent ? `${span.agent}@v${span.agentVersion ?? "?"}` : "—"}</Item>
        <Item label="Model">{span.model ?? "—"}</Item>
        <Item label="Tier">{span.tier ?? "—"}</Item>
        <Item label="Started">{`${formatUtc(span.startedAt)} (+${formatDuration(span.startOffsetMs)})`}</Item>
        <Item label="Duration">{span.durationMs === null ? "still open" : formatDuration(span.durationMs)}</Item>
        <Item label="Tokens in / out">{`${formatCount(span.inputTokens)} / ${formatCount(span.outputTokens)}`}</Item>
        <Item label="Cost">{formatCost(span.costUsd)}</Item>
      </dl>
      {span.error ? (
        <p className="mb-3 rounded-md bg-red-50 px-3 py-2 text-xs break-words whitespace-pre-wrap text-red-800 ring-1 ring-red-200">
          <span className="font-medium">Error: </span>
          {span.error}
        </p>
      ) : null}
      <div className="grid gap-3 lg:grid-cols-2">
        <div>
          <h4 className="mb-1 text-xs font-medium text-slate-600 uppercase">Attributes</h4>
          {attributes.length === 0 ? (
            <p className="text-xs text-slate-500">No attributes recorded.</p>
          ) : (
            <table className="w-full rounded-md bg-white text-xs ring-1 ring-slate-200">
              <tbody className="divide-y divide-slate-100">
                {attributes.map(([key, value]) => (
                  <tr key={key} className="align-top">
                    <th scope="row" className="px-2 py-1 text-left font-mono font-normal text-slate-500">
                      {key}
                    </th>
                    <td className="px-2 py-1 font-mono break-all text-slate-800">{formatAttribute(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h4 className="mb-1 text-xs font-medium text-slate-600 uppercase">Inputs and outputs</h4>
          <Suspense fallback={<p className="text-xs text-slate-500">Loading the payload…</p>}>
            <SpanPayload traceId={traceId} spanId={span.id} />
          </Suspense>
        </div>
      </div>
    </section>
  );
}

function Item({ label, children }: { label: string; children: string }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-mono break-words text-slate-800">{children}</dd>
    </>
  );
}

async function SpanPayload({ traceId, spanId }: { traceId: string; spanId: string }) {
  const loaded = await getSpanPayload(traceId, spanId);
  if (!loaded || loaded.payload === null) {
    return <p className="text-xs text-slate-500">This span recorded no inputs or outputs.</p>;
  }
  return (
    <pre
      data-testid="span-payload"
      className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs break-words whitespace-pre-wrap text-slate-100"
    >
      {prettyJson(loaded.payload)}
    </pre>
  );
}
