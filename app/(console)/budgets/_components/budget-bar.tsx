import { formatPercent, formatUsd } from "@/lib/metrics/format";

/** Spend against a limit. Amber from 80% (where conversations downgrade), red at 100%. */
export function BudgetBar({ label, spentUsd, limitUsd, share }: { label: string; spentUsd: number; limitUsd: number; share: number }) {
  const tone = share >= 1 ? "bg-rose-500" : share >= 0.8 ? "bg-amber-500" : "bg-emerald-500";
  const percent = Math.round(share * 100);
  return (
    <div>
      <div
        role="progressbar"
        aria-label={`${label}: spend against budget`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(percent, 100)}
        aria-valuetext={`${formatUsd(spentUsd)} of ${formatUsd(limitUsd)} (${formatPercent(share, 0)})`}
        className="h-2.5 w-full overflow-hidden rounded-full bg-slate-100"
      >
        <div className={`h-full ${tone}`} style={{ width: `${Math.min(100, share * 100)}%` }} />
      </div>
      <p className="mt-1 text-xs text-slate-600 tabular-nums">
        {formatUsd(spentUsd)} of {formatUsd(limitUsd)} · {formatPercent(share, 0)}
      </p>
    </div>
  );
}
