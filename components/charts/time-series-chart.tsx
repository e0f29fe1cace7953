"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatValue, NO_DATA } from "@/lib/metrics/format";
import type { ChartDatum, TimeChart } from "@/lib/metrics/series";

/**
 * Draws a prepared time chart (lib/metrics/series.ts): one line per prepared series, null points
 * left as gaps. Everything it shows (labels, colours, units, values) comes from the preparer.
 */
export function TimeSeriesChart({ chart, height = 200 }: { chart: TimeChart; height?: number }) {
  const format = (v: unknown) => formatValue(chart.kind, typeof v === "number" ? v : null);
  return (
    <div style={{ height }} data-testid={`chart-${chart.id}`} role="img" aria-label={`${chart.title} over time`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={chart.data} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={{ stroke: "#cbd5e1" }} minTickGap={24} />
          <YAxis domain={[0, chart.yMax ?? "auto"]} tickFormatter={format} tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} width={64} />
          <Tooltip content={<ChartTooltip chart={chart} />} />
          {chart.lines.map((line) => (
            <Line
              key={line.key}
              name={line.name}
              dataKey={(d: ChartDatum) => d.values[line.key] ?? null}
              stroke={line.color}
              strokeWidth={2}
              dot={{ r: 2.5, fill: line.color, strokeWidth: 0 }}
              activeDot={{ r: 4 }}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function ChartTooltip({ chart, active, payload }: { chart: TimeChart; active?: boolean; payload?: readonly { payload?: ChartDatum }[] }) {
  const datum = payload?.[0]?.payload;
  if (!active || !datum) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="mb-1 font-medium text-slate-700">{datum.title}</p>
      <ul className="space-y-0.5">
        {chart.lines.map((line) => {
          const v = datum.values[line.key] ?? null;
          return (
            <li key={line.key} className="flex items-center gap-2">
              <span aria-hidden className="size-2 rounded-full" style={{ backgroundColor: line.color }} />
              <span className="text-slate-600">{line.name}</span>
              <span className={`ml-auto pl-3 tabular-nums ${v === null ? "text-slate-400" : "text-slate-900"}`}>
                {v === null ? NO_DATA : formatValue(chart.kind, v)}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
