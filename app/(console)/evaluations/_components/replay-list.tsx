import Link from "next/link";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ReplayDto } from "@/lib/dal/replays";
import { formatPercent, formatUsd } from "@/lib/metrics/format";
import type { TurnOutcome } from "@/lib/replay/replay";

function Side({ title, outcome, extra }: { title: string; outcome: TurnOutcome; extra?: string }) {
  return (
    <div className="rounded-lg bg-slate-50 p-3">
      <p className="text-xs font-medium text-slate-500">{title}</p>
      {/* Agent output is rendered as text, never as HTML. */}
      <p className="mt-1 text-sm whitespace-pre-wrap text-slate-900">{outcome.reply ?? `(${outcome.status.replace(/_/g, " ")}, no reply)`}</p>
      <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-0.5 text-xs text-slate-600">
        <dt>answered by</dt>
        <dd>{outcome.answeredBy ?? "—"}</dd>
        <dt>handoffs</dt>
        <dd>{outcome.handoffs.join(", ") || "—"}</dd>
        <dt>tool calls</dt>
        <dd className="font-mono">{outcome.toolCalls.join(", ") || "—"}</dd>
        <dt>cost</dt>
        <dd className="tabular-nums">{formatUsd(outcome.costUsd)}</dd>
        <dt>eval score</dt>
        <dd className="tabular-nums">{formatPercent(outcome.score)}</dd>
      </dl>
      {extra ? <p className="mt-1 text-xs text-amber-800">{extra}</p> : null}
    </div>
  );
}

/** Replays, newest first, each turn's original and replayed answer side by side. */
export function ReplayList({ replays }: { replays: ReplayDto[] }) {
  if (replays.length === 0) return <p className="text-sm text-slate-500">No replays yet.</p>;
  return (
    <ul className="space-y-3" aria-label="Replays">
      {replays.map((r) => (
        <li key={r.id} className="rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
          <p className="flex flex-wrap items-center gap-2 text-sm">
            <span className="font-medium">{r.agent} v{r.candidateVersion}</span>
            <span className="text-slate-500">on</span>
            <Link className="font-mono text-xs text-indigo-700 hover:underline" href={`/conversations/${r.conversationId}`}>{r.conversationId}</Link>
            <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs">{r.status}</span>
            <span className="text-xs text-slate-500"><RelativeTime iso={r.createdAt} /></span>
          </p>
          {r.error ? <p className="mt-1 text-sm text-rose-700">{r.error}</p> : null}
          {r.result?.turns.map((t, i) => (
            <div key={t.runId} className="mt-3">
              <p className="text-xs text-slate-500">Turn {i + 1}: <span className="text-slate-800">{t.message}</span></p>
              <div className="mt-1 grid gap-3 md:grid-cols-2">
                <Side title={`Recorded (v${r.result?.originalVersion ?? "?"})`} outcome={t.original} />
                <Side
                  title={`Replayed with v${r.candidateVersion} (tools from the recording)`}
                  outcome={t.replay}
                  extra={t.replay.unrecordedCalls ? `${t.replay.unrecordedCalls} tool call(s) the original never made were refused` : undefined}
                />
              </div>
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}
