import type { ReactNode } from "react";

/** Says honestly what will appear here and why it is empty now. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section
      data-testid="empty-state"
      className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center"
    >
      <h2 className="text-base font-medium text-slate-800">{title}</h2>
      <div className="mx-auto mt-2 max-w-xl text-sm text-slate-600">{children}</div>
    </section>
  );
}
