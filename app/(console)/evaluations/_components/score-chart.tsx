"use client";

import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import type { TimeChart } from "@/lib/metrics/series";

export function ScoreChart({ chart }: { chart: TimeChart }) {
  if (!chart.hasData) return <p className="py-8 text-center text-sm text-slate-500">No scores in this range yet.</p>;
  return (
    <>
      <TimeSeriesChart chart={chart} height={220} />
      <ul className="mt-2 flex flex-wrap gap-3 text-xs text-slate-600" aria-label="Legend">
        {chart.lines.map((l) => (
          <li key={l.key} className="inline-flex items-center gap-1.5">
            <span aria-hidden className="size-2 rounded-full" style={{ backgroundColor: l.color }} />
            {l.name}
          </li>
        ))}
      </ul>
    </>
  );
}
