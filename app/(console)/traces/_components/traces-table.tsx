import Link from "next/link";
import { RelativeTime } from "@/components/ui/relative-time";
import { RunStatusBadge } from "@/components/ui/run-status-badge";
import type { TraceListRowDto } from "@/lib/dal/traces";
import { formatCost, formatCount, formatDuration } from "./format";

const num = "px-2 py-2 text-right tabular-nums whitespace-nowrap";

export function TracesTable({ rows }: { rows: TraceListRowDto[] }) {
  const now = Date.now();
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs whitespace-nowrap text-slate-500 uppercase">
          <tr>
            <th className="px-2 py-2 font-medium">Started</th>
            <th className="px-2 py-2 font-medium">Trace</th>
            <th className="px-2 py-2 font-medium">Chain</th>
            <th className="px-2 py-2 font-medium">Status</th>
            <th className="px-2 py-2 text-right font-medium">Duration</th>
            <th className="px-2 py-2 text-right font-medium">Cost</th>
            <th className="px-2 py-2 text-right font-medium">Tokens</th>
            <th className="px-2 py-2 text-right font-medium">LLM calls</th>
            <th className="px-2 py-2 text-right font-medium">Errors</th>
            <th className="px-2 py-2 font-medium">Agents</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((t) => (
            <tr key={t.runId} className="align-top hover:bg-slate-50">
              <td className="px-2 py-2 text-slate-600">
                <RelativeTime iso={t.startedAt} now={now} />
              </td>
              <td className="px-2 py-2 whitespace-nowrap">
                <Link
                  href={`/traces/${t.traceId}`}
                  className="font-mono text-xs text-indigo-700 underline"
                  title={`Trace ${t.traceId} (run ${t.runId})`}
                  aria-label={`Open trace ${t.traceId}`}
                >
                  {t.traceId.slice(0, 10)}…
                </Link>
              </td>
              <td className="px-2 py-2 font-mono text-xs whitespace-nowrap text-slate-600">{t.chain}</td>
              <td className="px-2 py-2">
                <RunStatusBadge status={t.status} />
              </td>
              <td className={num}>
                {t.durationMs === null && t.status === "running" ? (
                  <span className="text-slate-400">running</span>
                ) : (
                  formatDuration(t.durationMs)
                )}
              </td>
              <td className={num}>{formatCost(t.costUsd)}</td>
              <td className={num}>{formatCount(t.tokens)}</td>
              <td className={num}>{formatCount(t.llmCalls)}</td>
              <td className={`${num} ${t.errors > 0 ? "font-medium text-red-700" : "text-slate-500"}`}>
                {formatCount(t.errors)}
              </td>
              <td className="min-w-40 px-2 py-2 text-xs text-slate-700">
                {t.agents.length === 0 ? <span className="text-slate-400">—</span> : t.agents.join(", ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
