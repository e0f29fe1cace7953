import type { LiveRunDto, LiveStepDto } from "@/lib/query/conversations";
import { ModelLabel } from "./model-label";

const typeTones: Record<string, string> = {
  llm_call: "bg-sky-50 text-sky-800",
  tool_call: "bg-amber-50 text-amber-800",
  tool_refused: "bg-orange-50 text-orange-800",
  handoff: "bg-indigo-50 text-indigo-800",
  validation_failed: "bg-rose-50 text-rose-800",
  retry: "bg-rose-50 text-rose-800",
  interrupted: "bg-violet-50 text-violet-800",
  escalated: "bg-violet-50 text-violet-800",
  human_decision: "bg-teal-50 text-teal-800",
  completed: "bg-emerald-50 text-emerald-800",
  failed: "bg-red-100 text-red-800",
};

/** Each turn's steps in the order they were committed; new ones append as the run unfolds. */
export function StepList({ runs, steps }: { runs: LiveRunDto[]; steps: LiveStepDto[] }) {
  if (runs.length === 0) {
    return <p className="text-sm text-slate-500">No run has started yet.</p>;
  }
  return (
    <div className="space-y-4">
      {runs.map((run, i) => {
        const own = steps.filter((s) => s.runId === run.id);
        return (
          <section key={run.id} aria-label={`Turn ${i + 1}`} className="rounded-xl border border-slate-200 bg-white">
            <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b border-slate-100 px-4 py-2 text-sm">
              <h3 className="font-medium text-slate-900">Turn {i + 1}</h3>
              <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{run.status}</span>
              <span className="font-mono text-xs text-slate-500">{run.id}</span>
              <span className="text-xs text-slate-500">{own.length} steps</span>
            </header>
            {own.length === 0 ? (
              <p className="px-4 py-3 text-sm text-slate-500">Waiting for the first step…</p>
            ) : (
              <ol className="divide-y divide-slate-100" data-testid="playground-steps">
                {own.map((s) => (
                  <StepRow key={s.seq} step={s} />
                ))}
              </ol>
            )}
          </section>
        );
      })}
    </div>
  );
}

function StepRow({ step }: { step: LiveStepDto }) {
  const text = detail(step);
  return (
    <li className="grid grid-cols-[2.5rem_minmax(0,1fr)_auto] gap-x-2 px-4 py-2 text-sm" data-step-type={step.type}>
      <span className="pt-0.5 text-right font-mono text-xs text-slate-400 tabular-nums">{step.seq}</span>
      <div className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <span className={`rounded px-1.5 py-0.5 font-mono text-xs ${typeTones[step.type] ?? "bg-slate-100 text-slate-700"}`}>
            {step.type}
          </span>
          <span className="font-mono text-xs text-slate-700">
            {step.agent ? `${step.agent}@v${step.agentVersion ?? "?"}` : "run"}
          </span>
          {step.model ? <ModelLabel model={step.model} /> : null}
          {step.tokens ? (
            <span className="text-xs text-slate-500 tabular-nums">
              {step.tokens.input}+{step.tokens.output} tokens
            </span>
          ) : null}
          {step.latencyMs !== null ? (
            <span className="text-xs text-slate-500 tabular-nums">{Math.round(step.latencyMs)} ms</span>
          ) : null}
        </div>
        {text ? <p className="mt-0.5 break-words text-slate-800">{text}</p> : null}
      </div>
      <time dateTime={step.at} className="pt-0.5 font-mono text-xs text-slate-400 tabular-nums" title="Committed at (UTC)">
        {step.at.slice(11, 23)}
      </time>
    </li>
  );
}

/**
 * The summary (lib/events/summarize.ts) minus what the row already shows in its own columns: the
 * type word, and for model calls the model, tokens and latency. Presentation only: if the summary
 * format changes, the worst case is a repeated word.
 */
function detail(step: LiveStepDto): string {
  let parts = step.summary.split(" · ");
  if (parts[0]?.startsWith(step.type)) {
    const rest = parts[0].slice(step.type.length).trim();
    parts = rest ? [rest, ...parts.slice(1)] : parts.slice(1);
  }
  if (step.latencyMs !== null) parts = parts.filter((p) => !/^\d+ ms$/.test(p));
  if (step.type === "llm_call") {
    parts = parts.filter((p) => !/^\d+\+\d+ tokens$/.test(p)).map((p) => p.replace(/^(\w+) \(.*\)$/, "tier $1"));
  }
  return parts.join(" · ");
}
