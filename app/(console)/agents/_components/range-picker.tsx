import Link from "next/link";
import { type RangePreset, rangeLabels, rangePresets } from "@/lib/metrics/range";

/** The time range lives in the URL (`?range=`), so a view can be shared and reloaded as is. */
export function RangePicker({ current }: { current: RangePreset }) {
  return (
    <nav aria-label="Time range" className="inline-flex rounded-lg border border-slate-200 bg-white p-0.5 shadow-sm">
      {rangePresets.map((r) => (
        <Link
          key={r}
          href={`/agents?range=${r}`}
          aria-current={r === current ? "page" : undefined}
          title={rangeLabels[r]}
          className={`rounded-md px-3 py-1 text-sm font-medium ${
            r === current ? "bg-indigo-600 text-white" : "text-slate-600 hover:bg-slate-100"
          }`}
        >
          {r}
        </Link>
      ))}
    </nav>
  );
}
