"use client";

import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DailyCostChart as Chart } from "@/lib/costs/charts";
import { formatUsd } from "@/lib/metrics/format";

/** Stacked daily cost as prepared by lib/costs/charts.ts; the global daily budget as a line. */
export function DailyCostChart({ id, title, chart }: { id: string; title: string; chart: Chart }) {
  const data = chart.data.map((d) => ({ label: d.label, ...d.values }));
  const top = Math.max(chart.budgetUsd ?? 0, ...chart.data.map((d) => Object.values(d.values).reduce((a, b) => a + b, 0)));
  return (
    <div
      style={{ height: 240 }}
      data-testid={`chart-${id}`}
      data-budget-usd={chart.budgetUsd ?? ""}
      role="img"
      aria-label={`${title}${chart.budgetUsd === null ? "" : `, daily budget ${formatUsd(chart.budgetUsd)}`}`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 16, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={{ stroke: "#cbd5e1" }} />
          <YAxis domain={[0, top > 0 ? top * 1.1 : 1]} tickFormatter={(v: number) => formatUsd(v)} tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} width={64} />
          <Tooltip formatter={(v) => formatUsd(typeof v === "number" ? v : null)} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {chart.series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.name} stackId="cost" fill={s.color} isAnimationActive={false} />
          ))}
          {chart.budgetUsd !== null ? (
            <ReferenceLine
              y={chart.budgetUsd}
              stroke="#e11d48"
              strokeDasharray="6 4"
              ifOverflow="extendDomain"
              label={{ value: `daily budget ${formatUsd(chart.budgetUsd)}`, position: "insideTopRight", fill: "#be123c", fontSize: 11 }}
            />
          ) : null}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
