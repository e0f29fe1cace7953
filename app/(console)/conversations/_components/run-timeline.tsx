import { DETAIL_MAX_EVENTS_PER_RUN, type RunDto } from "@/lib/dal/conversations";
import { formatClock, formatUtc, prettyJson } from "@/lib/format";

const typeTones: Record<string, string> = {
  llm_call: "bg-sky-50 text-sky-800",
  tool_call: "bg-amber-50 text-amber-800",
  tool_refused: "bg-orange-50 text-orange-800",
  handoff: "bg-indigo-50 text-indigo-800",
  validation_failed: "bg-rose-50 text-rose-800",
  retry: "bg-rose-50 text-rose-800",
  escalated: "bg-violet-50 text-violet-800",
  human_decision: "bg-teal-50 text-teal-800",
  completed: "bg-emerald-50 text-emerald-800",
  failed: "bg-red-100 text-red-800",
};

/** One run (turn) and its event log in seq order; each event's data opens in place. */
export function RunTimeline({ run, label }: { run: RunDto; label: string }) {
  return (
    <section id={run.id} className="scroll-mt-4 rounded-xl border border-slate-200 bg-white">
      <header className="flex flex-wrap items-baseline gap-x-4 gap-y-1 border-b border-slate-100 px-4 py-3 text-sm">
        <h3 className="font-medium text-slate-900">{label}</h3>
        <span className="font-mono text-xs text-slate-500">{run.id}</span>
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{run.status}</span>
        <span className="text-xs text-slate-500">
          trace <span className="font-mono">{run.traceId}</span>
        </span>
        <time dateTime={run.createdAt} className="text-xs text-slate-500">
          {formatUtc(run.createdAt)}
        </time>
      </header>
      {run.events.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">No events recorded for this run yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-slate-500 uppercase">
              <tr>
                <th className="w-12 px-4 py-2 text-right font-medium">Seq</th>
                <th className="px-2 py-2 font-medium">Time (UTC)</th>
                <th className="px-2 py-2 font-medium">Agent</th>
                <th className="px-2 py-2 font-medium">Type</th>
                <th className="px-2 py-2 font-medium">What happened</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {run.events.map((e) => (
                <tr key={e.seq} className="align-top">
                  <td className="px-4 py-1.5 text-right font-mono text-xs text-slate-500 tabular-nums">{e.seq}</td>
                  <td className="px-2 py-1.5 font-mono text-xs whitespace-nowrap text-slate-600">
                    <time dateTime={e.at}>{formatClock(e.at)}</time>
                  </td>
                  <td className="px-2 py-1.5 font-mono text-xs whitespace-nowrap text-slate-700">
                    {e.agent ? `${e.agent}@v${e.agentVersion ?? "?"}` : <span className="text-slate-400">run</span>}
                  </td>
                  <td className="px-2 py-1.5 whitespace-nowrap">
                    <span className={`rounded px-1.5 py-0.5 font-mono text-xs ${typeTones[e.type] ?? "bg-slate-100 text-slate-700"}`}>
                      {e.type}
                    </span>
                  </td>
                  <td className="w-full min-w-0 px-2 py-1.5">
                    <details className="group">
                      <summary className="cursor-pointer break-words text-slate-800 marker:text-slate-400">
                        {withoutTypePrefix(e.summary, e.type)}
                      </summary>
                      <pre className="mt-2 max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
                        {prettyJson(e.data)}
                      </pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {run.eventsTruncated ? (
        <p className="border-t border-slate-100 px-4 py-2 text-sm text-amber-800">
          Only the first {DETAIL_MAX_EVENTS_PER_RUN} events of this run are shown; later events are not.
        </p>
      ) : null}
    </section>
  );
}

/** The type already has its own column; the summary's leading type word would only repeat it. */
function withoutTypePrefix(summary: string, type: string): string {
  if (!summary.startsWith(type)) return summary;
  const rest = summary.slice(type.length).replace(/^ · /, "").trim();
  return rest || summary;
}
