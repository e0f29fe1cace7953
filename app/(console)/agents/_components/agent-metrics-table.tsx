import type { AgentMetrics } from "@/lib/metrics/definitions";
import { formatCount, formatMs, formatPercent, formatTokens, formatUsd, NO_DATA } from "@/lib/metrics/format";

const columns: { label: string; title: string; cell: (r: AgentMetrics) => string }[] = [
  { label: "LLM calls", title: "LLM calls that started in the range", cell: (r) => formatCount(r.llmCalls) },
  { label: "p50", title: "LLM latency, 50th percentile", cell: (r) => formatMs(r.latencyP50Ms) },
  { label: "p95", title: "LLM latency, 95th percentile", cell: (r) => formatMs(r.latencyP95Ms) },
  { label: "p99", title: "LLM latency, 99th percentile", cell: (r) => formatMs(r.latencyP99Ms) },
  { label: "Tokens in/out", title: "Input and output tokens of the LLM calls", cell: (r) => `${formatTokens(r.inputTokens)} / ${formatTokens(r.outputTokens)}` },
  { label: "Cost", title: "Cost of the agent's LLM calls", cell: (r) => formatUsd(r.costUsd) },
  { label: "Success", title: "LLM calls without an error", cell: (r) => formatPercent(r.successRate) },
  { label: "Retry", title: "Retries per LLM call", cell: (r) => formatPercent(r.retryRate) },
  { label: "Fallback", title: "Turns the fallback ladder took over, of those that tried the model", cell: (r) => formatPercent(r.fallbackRate) },
  { label: "Escalation", title: "Settled runs with the agent that escalated", cell: (r) => formatPercent(r.escalationRate) },
  { label: "Handoff acc.", title: "Handoffs from the agent neither reversed nor escalated", cell: (r) => (r.handoffs ? `${formatPercent(r.handoffAccuracy)} of ${r.handoffs}` : NO_DATA) },
  { label: "Cost/resolved", title: "Cost of the agent's runs per completed run", cell: (r) => formatUsd(r.costPerResolvedUsd) },
];

/** One row per agent version; a gap reads "no data" in grey, never 0. */
export function AgentMetricsTable({ rows }: { rows: readonly AgentMetrics[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full text-xs" aria-label="Metrics by agent version">
        <thead className="bg-slate-50 text-left text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-2 font-medium">Agent</th>
            <th scope="col" className="px-2 py-2 font-medium">Version</th>
            {columns.map((c) => (
              <th key={c.label} scope="col" title={c.title} className="px-2 py-2 text-right font-medium whitespace-nowrap">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={`${r.agent}@${r.version ?? "?"}`} data-testid={`agent-row-${r.agent}`}>
              <th scope="row" className="px-2 py-2 text-left font-medium text-slate-900">{r.agent}</th>
              <td className="px-2 py-2 text-slate-600">{r.version === null ? "unknown" : `v${r.version}`}</td>
              {columns.map((c) => {
                const text = c.cell(r);
                return (
                  <td key={c.label} className={`px-2 py-2 text-right tabular-nums whitespace-nowrap ${text === NO_DATA ? "text-slate-400" : "text-slate-800"}`}>
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
