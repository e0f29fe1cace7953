import { RelativeTime } from "@/components/ui/relative-time";
import type { RolloutDto } from "@/lib/dal/rollouts";
import { formatValue } from "@/lib/metrics/format";
import { ComparisonChart } from "./comparison-chart";
import { DecisionsTable } from "./decisions-table";
import { RolloutControls } from "./rollout-controls";

const statusTone: Record<string, string> = {
  running: "bg-sky-50 text-sky-800 ring-sky-200",
  paused: "bg-amber-50 text-amber-800 ring-amber-200",
  promoted: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  rolled_back: "bg-rose-50 text-rose-800 ring-rose-200",
};

export function RolloutStatus({ status }: { status: string }) {
  return (
    <span data-testid="rollout-status" className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${statusTone[status] ?? ""}`}>
      {status.replace("_", " ")}
    </span>
  );
}

/** An active rollout: split, stages, the guard's latest reading, canary vs stable, decisions. */
export function RolloutCard({ rollout, canWrite }: { rollout: RolloutDto; canWrite: boolean }) {
  const verdict = rollout.reading;
  const comparison = verdict?.comparison ?? null;
  // A stage change (the guard's or an admin's) restarts the canary's window; until the guard's
  // next tick its stored reading is of the stage before.
  const earlierStage = verdict !== null && new Date(verdict.at) < new Date(rollout.stageStartedAt);
  return (
    <article aria-label={`Rollout of ${rollout.agent}`} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <header className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h3 className="text-base font-semibold">
            {rollout.agent}: v{rollout.canaryVersion} <span className="font-normal text-slate-500">against stable</span> v{rollout.stableVersion}
          </h3>
          <p className="text-xs text-slate-500">
            {rollout.chain} · started <RelativeTime iso={rollout.createdAt} /> · minimum sample {rollout.minSample} runs per stage
          </p>
        </div>
        <RolloutStatus status={rollout.status} />
      </header>

      <div className="mt-4">
        <div className="flex justify-between text-xs text-slate-600">
          <span data-testid="canary-split">canary {rollout.percent}%</span>
          <span>stable {100 - rollout.percent}%</span>
        </div>
        <div className="mt-1 flex h-3 overflow-hidden rounded-full bg-sky-700/80" role="img" aria-label={`Traffic split: ${rollout.percent}% canary`}>
          <div className="bg-amber-500" style={{ width: `${rollout.percent}%` }} />
        </div>
        <ol className="mt-2 flex gap-2 text-xs" aria-label="Stages">
          {rollout.stages.map((p, i) => (
            <li
              key={p}
              aria-current={i === rollout.stageIndex && rollout.status === "running" ? "step" : undefined}
              className={`rounded px-2 py-0.5 ring-1 ring-inset ${i === rollout.stageIndex ? "bg-indigo-50 font-medium text-indigo-800 ring-indigo-200" : i < rollout.stageIndex ? "text-slate-500 ring-slate-200" : "text-slate-400 ring-slate-100"}`}
            >
              {p}%
            </li>
          ))}
        </ol>
      </div>

      <p className="mt-3 text-sm text-slate-700" data-testid="guard-reading">
        Guard:{" "}
        {verdict
          ? `${verdict.action}${verdict.reason ? ` — ${verdict.reason}` : ""}`
          : "no reading yet (it judges every few seconds)"}
        {verdict ? (
          <span className="text-xs text-slate-500">
            {" "}
            (<RelativeTime iso={verdict.at} />)
          </span>
        ) : null}
      </p>

      <section aria-label="Canary against stable" className="mt-4">
        {comparison ? (
          <>
            <table className="mb-3 min-w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th scope="col" className="py-1 font-medium">Signal (this stage vs stable baseline)</th>
                  <th scope="col" className="py-1 font-medium">Canary v{rollout.canaryVersion}</th>
                  <th scope="col" className="py-1 font-medium">Stable v{rollout.stableVersion}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {comparison.map((row) => (
                  <tr key={row.signal}>
                    <th scope="row" className="py-1 text-left font-normal text-slate-600">{row.label}</th>
                    <td className="py-1 tabular-nums">{formatValue(row.kind, row.canary)}</td>
                    <td className="py-1 tabular-nums">{formatValue(row.kind, row.stable)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ComparisonChart rows={comparison} />
          </>
        ) : (
          <p className="text-sm text-slate-500">Canary and stable appear here with the guard&apos;s first reading.</p>
        )}
        {comparison && earlierStage ? (
          <p className="text-xs text-slate-500">These are the previous stage&apos;s numbers; the guard reads this stage within seconds.</p>
        ) : null}
      </section>

      {canWrite ? (
        <div className="mt-4">
          <RolloutControls rolloutId={rollout.id} agent={rollout.agent} status={rollout.status} />
        </div>
      ) : null}
      <DecisionsTable decisions={rollout.decisions} />
    </article>
  );
}
