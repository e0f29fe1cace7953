import type { BreakerStatusName } from "@/lib/breakers/timeline";

export const breakerStatusLabels: Record<BreakerStatusName, string> = {
  closed: "Closed",
  open: "Open",
  half_open: "Half-open",
};

// Hue plus label, so the state reads without colour too.
export const breakerTones: Record<BreakerStatusName, { badge: string; dot: string; bar: string }> =
  {
    closed: {
      badge: "bg-emerald-50 text-emerald-800 ring-emerald-200",
      dot: "bg-emerald-500",
      bar: "bg-emerald-400",
    },
    open: { badge: "bg-red-50 text-red-800 ring-red-200", dot: "bg-red-500", bar: "bg-red-500" },
    half_open: {
      badge: "bg-amber-50 text-amber-800 ring-amber-200",
      dot: "bg-amber-500",
      bar: "bg-amber-400",
    },
  };

export function BreakerStatusBadge({
  status,
  forced,
}: {
  status: BreakerStatusName;
  forced: boolean;
}) {
  const tone = breakerTones[status];
  return (
    <span
      data-status={status}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tone.badge}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${tone.dot}`} />
      {breakerStatusLabels[status]}
      {forced ? " (forced)" : ""}
    </span>
  );
}
