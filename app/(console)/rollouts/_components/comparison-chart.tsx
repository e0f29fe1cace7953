"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatValue } from "@/lib/metrics/format";
import type { ComparisonRow } from "@/lib/rollouts/comparison";

const colors = { canary: "#E69F00", stable: "#0072B2" };

/** Canary and stable side by side for each rate-like signal (one small chart per signal). */
export function ComparisonChart({ rows }: { rows: ComparisonRow[] }) {
  const charted = rows.filter((r) => r.kind === "percent" || r.kind === "usd");
  return (
    <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
      {charted.map((row) => (
        <figure key={row.signal} className="rounded-lg border border-slate-200 p-2" data-testid={`compare-${row.signal}`}>
          <figcaption className="px-1 text-xs font-medium text-slate-600">{row.label}</figcaption>
          <div style={{ height: 120 }} role="img" aria-label={`${row.label}: canary ${formatValue(row.kind, row.canary)}, stable ${formatValue(row.kind, row.stable)}`}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={[{ name: row.label, canary: row.canary, stable: row.stable }]} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid stroke="#e2e8f0" vertical={false} />
                <XAxis dataKey="name" hide />
                <YAxis tickFormatter={(v: number) => formatValue(row.kind, v)} tick={{ fontSize: 10, fill: "#64748b" }} width={56} axisLine={false} tickLine={false} domain={row.kind === "percent" ? [0, 1] : [0, "auto"]} />
                <Tooltip formatter={(v) => formatValue(row.kind, typeof v === "number" ? v : null)} />
                <Legend wrapperStyle={{ fontSize: 11 }} />
                <Bar dataKey="canary" name="canary" fill={colors.canary} isAnimationActive={false} />
                <Bar dataKey="stable" name="stable" fill={colors.stable} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </figure>
      ))}
    </div>
  );
}
