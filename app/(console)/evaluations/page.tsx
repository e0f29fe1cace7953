import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { authorizePage } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { listAgentVersions } from "@/lib/dal/agent-versions";
import { getEvalCoverage, getScoreSeries, listLowestScores } from "@/lib/dal/evaluations";
import { listReplays, replayFilters } from "@/lib/dal/replays";
import { prepareScoreChart } from "@/lib/evals/charts";
import { formatPercent } from "@/lib/metrics/format";
import { DAY_MS } from "@/lib/metrics/range";
import { ReplayForm } from "./_components/replay-form";
import { ReplayList } from "./_components/replay-list";
import { ScoreChart } from "./_components/score-chart";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Evaluations" };

export default async function Page() {
  const actor = await authorizePage("evaluations:read");
  const now = Date.now();
  const week = { from: now - 7 * DAY_MS, to: now };
  const day = { from: now - DAY_MS, to: now };
  const threeDays = { from: now - 3 * DAY_MS, to: now };
  const [series, lowest, coverage, replays, versions] = await Promise.all([
    getScoreSeries(threeDays, "hour"),
    listLowestScores(week),
    getEvalCoverage(day),
    listReplays(),
    can(actor.role, "agents:read") ? listAgentVersions() : Promise.resolve([]),
  ]);
  const chart = prepareScoreChart(series, threeDays, "hour");
  const share = coverage.finishedConversations ? coverage.scoredConversations / coverage.finishedConversations : null;
  return (
    <>
      <PageHeader
        title="Evaluations"
        description="Deterministic checks (schema, citations, forbidden phrases, personal data) and an LLM-as-judge with a rubric score a sample of at least 5% of finished conversations, and every conversation of a running rollout, off the live path."
      />
      <dl className="grid gap-3 sm:grid-cols-3" aria-label="Last 24 hours">
        {[
          ["Scored conversations (24 h)", `${coverage.scoredConversations} of ${coverage.finishedConversations}`],
          ["Share scored", formatPercent(share)],
          ["Mean score", formatPercent(coverage.meanScore)],
        ].map(([k, v]) => (
          <div key={k} className="rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
            <dt className="text-xs text-slate-500">{k}</dt>
            <dd className="text-xl font-semibold tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>

      <section aria-labelledby="trend" className="mt-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <h2 id="trend" className="mb-2 text-sm font-medium text-slate-700">Mean score per agent version, last 3 days</h2>
        <ScoreChart chart={chart} />
      </section>

      <section aria-labelledby="lowest" className="mt-6">
        <h2 id="lowest" className="mb-2 text-sm font-medium text-slate-700">Lowest-scoring conversations, last 7 days</h2>
        {lowest.length === 0 ? (
          <p className="text-sm text-slate-500">Nothing scored yet.</p>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full text-sm" aria-label="Lowest-scoring conversations">
              <thead className="bg-slate-50 text-left text-xs text-slate-500">
                <tr>
                  {["Score", "Agent", "Failed checks", "Judge's rationale", "Conversation"].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2 font-medium">{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {lowest.map((s) => (
                  <tr key={s.runId}>
                    <td className="px-3 py-2 tabular-nums font-medium">{formatPercent(s.score)}</td>
                    <td className="px-3 py-2">{s.agent} v{s.version}</td>
                    <td className="px-3 py-2 text-xs text-rose-800">{s.failedChecks.join("; ") || "—"}</td>
                    <td className="max-w-md px-3 py-2 text-xs text-slate-600">{s.rationale ?? "judge unavailable"}</td>
                    <td className="px-3 py-2">
                      <Link className="font-mono text-xs text-indigo-700 hover:underline" href={`/conversations/${s.conversationId}`}>{s.conversationId}</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="replays" className="mt-8">
        <h2 id="replays" className="mb-2 text-sm font-medium text-slate-700">Replays against a candidate version</h2>
        {can(actor.role, "evaluations:write") ? (
          <div className="mb-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            {versions.length ? (
              <ReplayForm
                versions={versions.map((v) => ({ value: `${v.agent}@${v.version}`, label: `${v.agent} v${v.version}` }))}
                filters={Object.entries(replayFilters).map(([value, f]) => ({ value, label: f.label }))}
              />
            ) : (
              <p className="text-sm text-slate-500">Create an agent version on the Rollouts page first.</p>
            )}
          </div>
        ) : null}
        <ReplayList replays={replays} />
      </section>
    </>
  );
}
