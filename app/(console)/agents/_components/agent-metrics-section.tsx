import { SeriesLegend } from "@/components/charts/series-legend";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { EmptyState } from "@/components/ui/empty-state";
import { getAgentMetrics, getAgentSeries } from "@/lib/dal/metrics";
import { bucketFor, type RangePreset, rangeLabels, resolveRange } from "@/lib/metrics/range";
import { prepareAgentCharts } from "@/lib/metrics/series";
import { AgentMetricsTable } from "./agent-metrics-table";

/** The metrics table and charts of one time range (streams in under its own Suspense). */
export async function AgentMetricsSection({ preset, now }: { preset: RangePreset; now: number }) {
  const range = resolveRange(preset, now);
  const bucket = bucketFor(range);
  const [rows, series] = await Promise.all([getAgentMetrics(range), getAgentSeries(range, bucket)]);
  if (rows.length === 0) {
    return (
      <EmptyState title={`No agent activity in the ${rangeLabels[preset].toLowerCase()}`}>
        Per-agent latency, tokens, cost and rates appear here once agents have made LLM calls in this
        range. Pick a longer range above, or start a conversation.
      </EmptyState>
    );
  }
  const charts = prepareAgentCharts(series, range, bucket);
  return (
    <>
      <section aria-labelledby="by-version" className="mb-8">
        <h2 id="by-version" className="mb-2 text-sm font-medium text-slate-700">By agent version · {rangeLabels[preset].toLowerCase()}</h2>
        <AgentMetricsTable rows={rows} />
        <p className="mt-2 text-xs text-slate-500">
          Latency, tokens, cost, success and retry rates come from the agent&apos;s LLM calls. Escalation rate counts the
          settled turns (runs) the agent took part in. A handoff is accurate when it was not handed back later in the turn
          and the turn did not escalate. <strong className="font-medium">Resolved</strong> means the run completed without a
          person; cost per resolved is the cost of all the agent&apos;s runs divided by the completed ones. Fallback rate counts
          the turns the chain&apos;s fallback ladder took over (another agent, a template answer or a person) when the
          agent&apos;s call failed or its breaker was open.
        </p>
      </section>
      <section aria-labelledby="over-time">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="over-time" className="text-sm font-medium text-slate-700">
            Over time · per {bucket} (UTC)
          </h2>
          <SeriesLegend lines={charts[0]?.lines ?? []} />
        </div>
        <div className="grid gap-4 lg:grid-cols-2">
          {charts.map((chart) => (
            <figure key={chart.id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
              <figcaption className="mb-2 text-sm font-medium text-slate-800">{chart.title}</figcaption>
              {chart.hasData ? (
                <TimeSeriesChart chart={chart} />
              ) : (
                <p className="flex h-[200px] items-center justify-center text-sm text-slate-400">No data in this range</p>
              )}
            </figure>
          ))}
        </div>
        <p className="mt-2 text-xs text-slate-500">Breaks in a line are buckets in which the agent made no LLM call: no data, not zero.</p>
      </section>
    </>
  );
}

export function AgentMetricsSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading agent metrics" className="animate-pulse">
      <div className="mb-8 h-40 rounded-xl bg-slate-100" />
      <div className="grid gap-4 lg:grid-cols-2">
        {[0, 1, 2, 3].map((i) => (
          <div key={i} className="h-[250px] rounded-xl bg-slate-100" />
        ))}
      </div>
    </div>
  );
}
