/** A run's (trace's) status as a labelled, colour-coded pill; an unknown status shows as itself. */
export const runStatusLabels: Record<string, string> = {
  running: "Running",
  waiting_for_human: "Waiting for a person",
  completed: "Completed",
  escalated: "Escalated",
  failed: "Failed",
};

// Each status has its own hue and a dot, so it reads without colour too (the label says it).
const tones: Record<string, { badge: string; dot: string }> = {
  running: { badge: "bg-sky-50 text-sky-800 ring-sky-200", dot: "bg-sky-500" },
  waiting_for_human: { badge: "bg-amber-50 text-amber-800 ring-amber-200", dot: "bg-amber-500" },
  completed: { badge: "bg-emerald-50 text-emerald-800 ring-emerald-200", dot: "bg-emerald-500" },
  escalated: { badge: "bg-violet-50 text-violet-800 ring-violet-200", dot: "bg-violet-500" },
  failed: { badge: "bg-red-50 text-red-800 ring-red-200", dot: "bg-red-500" },
};
const fallback = { badge: "bg-slate-50 text-slate-700 ring-slate-200", dot: "bg-slate-400" };

export function RunStatusBadge({ status }: { status: string }) {
  const tone = tones[status] ?? fallback;
  return (
    <span
      data-status={status}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tone.badge}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${tone.dot}`} />
      {runStatusLabels[status] ?? status}
    </span>
  );
}
