import type { EscalationViewDto } from "@/lib/dal/escalations";

/** What the agents did, from the run's trace. Tool inputs and outputs are untrusted: text only. */
export function RunSummary({ summary, spend }: Pick<EscalationViewDto, "summary" | "spend">) {
  if (!summary) return <p className="text-sm text-slate-500">The run's trace is not available.</p>;
  const facts: [string, string][] = [
    ["Steps", String(summary.steps)],
    ["Model calls", String(summary.llmCalls)],
    ["Retries", String(summary.retries)],
    ["Invalid outputs", String(summary.validationFailures)],
    [
      "Tokens",
      `${summary.inputTokens.toLocaleString("en-US")} in / ${summary.outputTokens.toLocaleString("en-US")} out`,
    ],
    ["Spend", `$${spend.costUsd.toFixed(4)}`],
  ];
  return (
    <div className="space-y-4 text-sm" data-testid="run-summary">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-3">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="font-medium text-slate-900 tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      {summary.handoffs.length > 0 ? (
        <p>
          <span className="text-xs text-slate-500">Handoffs: </span>
          {summary.handoffs.join(", ")}
        </p>
      ) : null}
      {summary.confidence.length > 0 ? (
        <p>
          <span className="text-xs text-slate-500">Stated confidence: </span>
          {summary.confidence.map((c) => `${c.agent} ${c.value.toFixed(2)}`).join(" · ")}
        </p>
      ) : null}
      {summary.agents.length > 0 ? (
        <table className="w-full text-left text-xs">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 font-medium">Agent</th>
              <th className="py-1 text-right font-medium">Calls</th>
              <th className="py-1 text-right font-medium">Tokens in / out</th>
            </tr>
          </thead>
          <tbody>
            {summary.agents.map((a) => (
              <tr key={a.agent} className="border-t border-slate-100">
                <td className="py-1 font-mono">{a.agent}</td>
                <td className="py-1 text-right tabular-nums">{a.llmCalls}</td>
                <td className="py-1 text-right tabular-nums">
                  {a.inputTokens} / {a.outputTokens}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div>
        <h3 className="mb-1 text-xs font-medium text-slate-500 uppercase">Tools</h3>
        {summary.tools.length === 0 ? (
          <p className="text-slate-500">No tool calls.</p>
        ) : (
          <ol className="space-y-2">
            {summary.tools.map((t, i) => (
              <li
                key={i}
                className="rounded border border-slate-200 p-2"
                data-testid="tool-activity"
              >
                <p className="text-xs">
                  <span className="font-mono font-medium">{t.tool}</span> by {t.agent ?? "the run"}{" "}
                  ·{" "}
                  <span className={t.outcome === "ok" ? "text-emerald-700" : "text-rose-700"}>
                    {t.outcome}
                  </span>
                  {t.replayed ? " · replayed from the ledger" : ""}
                </p>
                <pre className="mt-1 font-mono text-xs break-all whitespace-pre-wrap text-slate-700">
                  in: {t.input}
                </pre>
                <pre className="font-mono text-xs break-all whitespace-pre-wrap text-slate-700">
                  out: {t.output}
                </pre>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
