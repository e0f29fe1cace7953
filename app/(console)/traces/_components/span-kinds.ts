/** Colours of the waterfall by span kind (bar, and the small kind tag); unknown kinds are grey. */
export const spanKindTones: Record<string, { bar: string; tag: string }> = {
  run: { bar: "bg-slate-400", tag: "bg-slate-100 text-slate-700" },
  step: { bar: "bg-indigo-400", tag: "bg-indigo-50 text-indigo-800" },
  llm: { bar: "bg-sky-500", tag: "bg-sky-50 text-sky-800" },
  tool: { bar: "bg-amber-500", tag: "bg-amber-50 text-amber-800" },
  handoff: { bar: "bg-violet-500", tag: "bg-violet-50 text-violet-800" },
  validation: { bar: "bg-rose-400", tag: "bg-rose-50 text-rose-800" },
  retry: { bar: "bg-orange-400", tag: "bg-orange-50 text-orange-800" },
  fallback: { bar: "bg-yellow-500", tag: "bg-yellow-50 text-yellow-800" },
  guardrail: { bar: "bg-orange-600", tag: "bg-orange-100 text-orange-900" },
  escalation: { bar: "bg-fuchsia-500", tag: "bg-fuchsia-50 text-fuchsia-800" },
  resume: { bar: "bg-teal-500", tag: "bg-teal-50 text-teal-800" },
  human: { bar: "bg-emerald-500", tag: "bg-emerald-50 text-emerald-800" },
  cache: { bar: "bg-lime-500", tag: "bg-lime-50 text-lime-800" },
  routing: { bar: "bg-cyan-500", tag: "bg-cyan-50 text-cyan-800" },
};

export const unknownKindTone = { bar: "bg-slate-300", tag: "bg-slate-100 text-slate-700" };

export function toneOf(kind: string) {
  return spanKindTones[kind] ?? unknownKindTone;
}
