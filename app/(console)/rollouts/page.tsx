import type { Metadata } from "next";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { authorizePage } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { listAgentVersions, listBaseAgents } from "@/lib/dal/agent-versions";
import { listRollouts } from "@/lib/dal/rollouts";
import { DecisionsTable } from "./_components/decisions-table";
import { RolloutCard, RolloutStatus } from "./_components/rollout-card";
import { StartRolloutForm } from "./_components/start-rollout-form";
import { VersionForm } from "./_components/version-form";
import { VersionsTable } from "./_components/versions-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Rollouts" };

export default async function Page() {
  const actor = await authorizePage("rollouts:read");
  const [rollouts, versions, bases] = await Promise.all([listRollouts(), listAgentVersions(), listBaseAgents()]);
  const active = rollouts.filter((r) => r.status === "running" || r.status === "paused");
  const finished = rollouts.filter((r) => !active.includes(r));
  const busy = new Set(active.map((r) => r.agent));
  const startable = versions
    .filter((v) => !busy.has(v.agent))
    .map((v) => ({ value: `${v.agent}@${v.version}`, label: `${v.agent} v${v.version}${v.note ? ` — ${v.note.slice(0, 40)}` : ""}` }));
  const canWrite = can(actor.role, "rollouts:write");
  return (
    <>
      <PageHeader
        title="Rollouts"
        description="Canary rollouts of new agent versions by traffic split, sticky per conversation. The guard compares the canary with the stable version on eval score, error and escalation rate, breaker trips and cost per resolved conversation, advances a stage when every signal holds and rolls back when one breaks."
      />
      <AutoRefresh active={active.length > 0} ms={3000} />

      <section aria-labelledby="active" className="mt-2 space-y-4">
        <h2 id="active" className="text-sm font-medium text-slate-700">In progress</h2>
        {active.length === 0 ? (
          <EmptyState title="No rollout in progress">
            Create a version of an agent below, try it with a replay on the Evaluations page, then an admin starts a canary (for example 10% → 50% → 100%).
          </EmptyState>
        ) : (
          active.map((r) => <RolloutCard key={r.id} rollout={r} canWrite={canWrite} />)
        )}
      </section>

      {canWrite ? (
        <section aria-labelledby="start" className="mt-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
          <h2 id="start" className="mb-3 text-sm font-medium text-slate-700">Start a canary</h2>
          {startable.length ? (
            <StartRolloutForm versions={startable} />
          ) : (
            <p className="text-sm text-slate-500">Every version is either in a rollout already or there is none yet: create one below.</p>
          )}
        </section>
      ) : null}

      {finished.length ? (
        <section aria-labelledby="history" className="mt-8">
          <h2 id="history" className="mb-2 text-sm font-medium text-slate-700">Finished rollouts</h2>
          <div className="space-y-3">
            {finished.map((r) => (
              <details key={r.id} className="rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
                <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
                  <span className="font-medium">
                    {r.agent} v{r.canaryVersion} against v{r.stableVersion}
                  </span>
                  <RolloutStatus status={r.status} />
                  <span className="text-xs text-slate-500">
                    {r.finishedAt ? <RelativeTime iso={r.finishedAt} /> : null}
                    {r.decisions[0] ? ` · ${r.decisions[0].reason}` : ""}
                  </span>
                </summary>
                <DecisionsTable decisions={r.decisions} />
              </details>
            ))}
          </div>
        </section>
      ) : null}

      <section aria-labelledby="versions" className="mt-8">
        <h2 id="versions" className="mb-2 text-sm font-medium text-slate-700">Agent versions</h2>
        <VersionsTable versions={versions} />
        {can(actor.role, "agents:write") ? (
          <div className="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h3 className="mb-3 text-sm font-medium text-slate-700">New version</h3>
            <VersionForm bases={bases} />
          </div>
        ) : null}
      </section>
    </>
  );
}
