import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { getRoutingOverview } from "@/lib/dal/routing";
import { formatCount, formatPercent, formatUsd } from "@/lib/metrics/format";
import { type RangePreset, rangeLabels, resolveRange } from "@/lib/metrics/range";
import { modelTiers } from "@/lib/runtime";

/** Model routing: decisions per tier and what they cost against running everything on the top tier. */
export async function RoutingSection({ preset, now }: { preset: RangePreset; now: number }) {
  const overview = await getRoutingOverview(resolveRange(preset, now));
  const label = rangeLabels[preset].toLowerCase();
  return (
    <section aria-labelledby="routing" className="mt-10" data-testid="routing-section">
      <h2 id="routing" className="mb-2 text-sm font-medium text-slate-700">Model routing · {label}</h2>
      {overview.rows.length === 0 ? (
        <EmptyState title={`No routing decisions in the ${label}`}>
          Agents with a tier range have the model router pick a tier for each activation. Its decisions, their split per
          tier and their cost against running every call on the top tier appear here once such an agent has run.
        </EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full text-xs" aria-label="Routing decisions by agent">
              <thead className="bg-slate-50 text-left text-slate-500">
                <tr>
                  <th scope="col" className="px-2 py-2 font-medium">Agent</th>
                  <th scope="col" className="px-2 py-2 font-medium">Range</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Decisions</th>
                  {modelTiers.map((t) => (
                    <th key={t} scope="col" className="px-2 py-2 text-right font-medium">{t}</th>
                  ))}
                  <th scope="col" className="px-2 py-2 text-right font-medium" title="What the routed calls cost">Cost</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium" title="The same calls, same tokens, priced on the range's top tier">
                    All on top tier
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {overview.rows.map((r) => (
                  <tr key={r.agent} data-testid={`routing-row-${r.agent}`}>
                    <th scope="row" className="px-2 py-2 text-left font-medium text-slate-900">{r.agent}</th>
                    <td className="px-2 py-2 text-slate-600">{r.range}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{formatCount(r.decisions)}</td>
                    {modelTiers.map((t) => (
                      <td key={t} className="px-2 py-2 text-right tabular-nums">{formatPercent(r.share[t])}</td>
                    ))}
                    <td className="px-2 py-2 text-right tabular-nums">{formatUsd(r.costUsd)}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{formatUsd(r.topTierCostUsd)} ({r.topTier})</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="mt-2 text-xs text-slate-500" data-testid="routing-effect">
            The router made {formatCount(overview.routerCalls)} calls costing {formatUsd(overview.routerCostUsd)}.{" "}
            {overview.savedUsd === null
              ? "The saving is unknown: a top tier's model has no price."
              : overview.savedUsd >= 0
                ? `Routing saved ${formatUsd(overview.savedUsd)} against running every routed call on its top tier, the router's calls included.`
                : `Routing cost ${formatUsd(-overview.savedUsd)} more than running every routed call on its top tier, the router's calls included.`}{" "}
            Top-tier costs use today&apos;s prices for the same tokens.
          </p>
          <h3 className="mt-4 mb-2 text-xs font-medium text-slate-600">Recent decisions</h3>
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-xs shadow-sm" aria-label="Recent routing decisions">
            {overview.recent.map((d) => (
              <li key={`${d.traceId}-${d.at}-${d.agent}`} className="flex flex-wrap items-baseline gap-x-3 px-3 py-2" data-testid="routing-decision">
                <span className="font-medium text-slate-900">{d.agent}</span>
                <span className="rounded bg-cyan-50 px-1.5 py-0.5 text-cyan-800">{d.tier}</span>
                <span className="text-slate-600">{d.reason}</span>
                <span className="ml-auto text-slate-400">
                  <RelativeTime iso={d.at} /> ·{" "}
                  <Link href={`/traces/${d.traceId}`} className="text-sky-700 hover:underline">trace</Link>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
