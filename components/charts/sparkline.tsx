"use client";

import { Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from "recharts";
import { formatValue, NO_DATA } from "@/lib/metrics/format";
import type { Sparkline as SparklineData } from "@/lib/metrics/series";

type Point = SparklineData["points"][number];

/** A prepared sparkline (lib/metrics/series.ts): hourly points, gaps left open. */
export function Sparkline({ data, label, color = "#4f46e5" }: { data: SparklineData; label: string; color?: string }) {
  return (
    <div className="h-10 w-full" role="img" aria-label={`${label}, hourly`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data.points} margin={{ top: 4, right: 2, bottom: 4, left: 2 }}>
          {/* From zero, so a small wobble does not read as a collapse. */}
          <YAxis hide domain={[0, "auto"]} />
          <Tooltip
            cursor={{ stroke: "#cbd5e1" }}
            content={({ active, payload }) => {
              const p = (payload?.[0] as { payload?: Point } | undefined)?.payload;
              if (!active || !p) return null;
              return (
                <div className="rounded border border-slate-200 bg-white px-2 py-1 text-[11px] shadow">
                  <span className="text-slate-500">{p.title}: </span>
                  <span className="tabular-nums">{p.value === null ? NO_DATA : formatValue(data.kind, p.value)}</span>
                </div>
              );
            }}
          />
          <Line
            dataKey="value"
            stroke={color}
            strokeWidth={1.5}
            // Dots keep an hour that stands between two gaps visible.
            dot={{ r: 1.5, fill: color, strokeWidth: 0 }}
            activeDot={{ r: 3 }}
            connectNulls={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
