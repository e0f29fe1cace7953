import type { BreakerTransitionDto } from "@/lib/query/breakers";
import { breakerStatusLabels, breakerTones } from "./breaker-status";

const reasonLabels: Record<string, string> = {
  consecutive_failures: "consecutive failures",
  failure_rate: "failure rate over the window",
  cooldown_elapsed: "cooldown elapsed, probing",
  probe_succeeded: "probe succeeded",
  probe_failed: "probe failed",
  forced_open: "tripped by hand",
  reset: "reset by hand",
};

/** The newest transitions of every breaker as a vertical timeline. */
export function TransitionList({ transitions }: { transitions: readonly BreakerTransitionDto[] }) {
  return (
    <section aria-labelledby="transitions-heading">
      <h2 id="transitions-heading" className="mb-3 text-sm font-semibold text-slate-900">
        Recent transitions
      </h2>
      {transitions.length === 0 ? (
        <p className="text-sm text-slate-500">No breaker changed state in the last 30 minutes.</p>
      ) : (
        <ol
          className="relative space-y-3 border-l border-slate-200 pl-5"
          aria-label="Recent breaker transitions"
        >
          {transitions.slice(0, 40).map((t) => (
            <li key={t.id} className="relative text-sm">
              <span
                aria-hidden
                className={`absolute top-1.5 -left-[26px] size-2.5 rounded-full ring-2 ring-white ${breakerTones[t.to].dot}`}
              />
              <time dateTime={t.at} className="mr-2 font-mono text-xs text-slate-500">
                {t.at.slice(11, 19)}
              </time>
              <span className="font-medium text-slate-900">{t.key}</span>{" "}
              <span className="text-slate-700">
                {breakerStatusLabels[t.from]} → {breakerStatusLabels[t.to]}
              </span>
              <span className="text-slate-500">
                {" "}
                · {reasonLabels[t.reason] ?? t.reason} · {t.consecutiveFailures} in a row,{" "}
                {t.windowFailures}/{t.windowCalls} in the window
                {t.actorEmail ? ` · by ${t.actorEmail}` : ""}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
