import { RelativeTime } from "@/components/ui/relative-time";
import type { RolloutDecisionDto } from "@/lib/dal/rollouts";

/** Every change of a rollout, newest first: who or what decided, on which signal, and why. */
export function DecisionsTable({ decisions }: { decisions: RolloutDecisionDto[] }) {
  return (
    <div className="mt-4 overflow-x-auto">
      <table className="min-w-full text-sm" aria-label="Rollout decisions">
        <thead className="bg-slate-50 text-left text-xs text-slate-500">
          <tr>
            {["When", "Decision", "By", "Split", "Signal", "Why"].map((h) => (
              <th key={h} scope="col" className="px-2 py-1.5 font-medium">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {decisions.map((d) => (
            <tr key={d.id} data-testid={`decision-${d.action}`}>
              <td className="px-2 py-1.5 text-xs text-slate-500"><RelativeTime iso={d.createdAt} /></td>
              <td className="px-2 py-1.5 font-medium">{d.action}</td>
              <td className="px-2 py-1.5 text-xs">{d.source === "guard" ? "guard" : (d.actorEmail ?? "admin")}</td>
              <td className="px-2 py-1.5 text-xs tabular-nums">{d.fromPercent}% → {d.toPercent}%</td>
              <td className="px-2 py-1.5 font-mono text-xs">{d.signal ?? "—"}</td>
              <td className="px-2 py-1.5 text-xs text-slate-600">{d.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
