import { priorityLabels } from "@/lib/escalations/policy";

const tones: Record<number, string> = {
  1: "bg-rose-50 text-rose-800 ring-rose-200",
  2: "bg-amber-50 text-amber-800 ring-amber-200",
  3: "bg-slate-50 text-slate-700 ring-slate-200",
};

/** Priority as a labelled pill (the label reads without colour). */
export function PriorityBadge({ priority }: { priority: number }) {
  return (
    <span
      data-priority={priority}
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${
        tones[priority] ?? tones[3]
      }`}
    >
      {priorityLabels[priority] ?? `P${priority}`}
    </span>
  );
}
