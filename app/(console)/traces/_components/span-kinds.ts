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
  message: { bar: "bg-blue-500", tag: "bg-blue-50 text-blue-800" },
  context: { bar: "bg-stone-500", tag: "bg-stone-100 text-stone-800" },
  conflict: { bar: "bg-pink-500", tag: "bg-pink-50 text-pink-800" },
};

/** Badges of the coordination parts (coordination.ts): the audited path and the peer groups. */
export const partTones: Record<string, string> = {
  orchestrated: "bg-indigo-100 text-indigo-900 ring-indigo-300",
  peer_group: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  mixed: "bg-slate-100 text-slate-700 ring-slate-300",
};

export const unknownKindTone = { bar: "bg-slate-300", tag: "bg-slate-100 text-slate-700" };

export function toneOf(kind: string) {
  return spanKindTones[kind] ?? unknownKindTone;
}
