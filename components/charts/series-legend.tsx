import type { ChartLine } from "@/lib/metrics/series";

/** The shared legend of a set of charts whose lines are the same prepared series. */
export function SeriesLegend({ lines }: { lines: readonly ChartLine[] }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-label="Legend">
      {lines.map((l) => (
        <li key={l.key} className="flex items-center gap-1.5">
          <span aria-hidden className="inline-block h-0.5 w-4 rounded" style={{ backgroundColor: l.color }} />
          {l.name}
        </li>
      ))}
    </ul>
  );
}
