import { formatUtc } from "@/lib/format";
import type { Actor } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { demoChains } from "@/lib/agents";
import { getSimulatorSettings } from "@/lib/dal/simulator-settings";
import { faultKinds, faultLabels, type FaultRule } from "@/lib/providers/simulator/config";
import { SimulatorForm } from "./simulator-form";

const pct = (rate: number) => `${Math.round(rate * 10_000) / 100}%`;

/** Settings → Model simulator: what the built-in simulator does now, and (for engineers) the form. */
export async function SimulatorSection({ actor }: { actor: Actor }) {
  const settings = await getSimulatorSettings();
  const { config } = settings;
  const agents = [...new Set(demoChains().flatMap((c) => c.agents.map((a) => a.name)))];
  return (
    <section aria-labelledby="sim-heading" className="mb-10" data-testid="simulator-section">
      <h2 id="sim-heading" className="mb-3 flex items-center gap-2 text-lg font-semibold">
        Model simulator
        <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold tracking-wide text-amber-900 uppercase ring-1 ring-amber-300 ring-inset">
          Simulator · not a model
        </span>
      </h2>
      <p className="mb-4 max-w-3xl text-sm text-slate-600">
        The built-in simulator is <strong>not a language model</strong>: it answers the demo agents with
        deterministic, rule-based replies so that Switchyard runs with no provider key, and every call it
        answers is labelled <code className="font-mono">simulator/&lt;tier&gt;</code> in traces. Here you set its
        latency and inject the faults real providers produce, to watch retries, fallbacks and escalations
        work. The same seed and conversation always get the same latency, fault and answer. Changes reach
        every worker within about a second.
      </p>

      <div className="mb-4 rounded-xl border border-slate-200 bg-white p-4" data-testid="simulator-current">
        <h3 className="mb-2 text-sm font-semibold text-slate-800">Running now</h3>
        {settings.source === "invalid" ? (
          <p role="alert" className="mb-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
            The stored simulator settings are no longer valid, so the defaults apply. Saving the form replaces them.
          </p>
        ) : null}
        <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-5">
          <Fact term="Median latency" value={`${config.latency.medianMs} ms`} />
          <Fact term="p95 latency" value={`${config.latency.p95Ms} ms`} />
          <Fact term="Maximum latency" value={`${config.latency.maxMs} ms`} />
          <Fact term="Timeout fault waits" value={`${config.timeoutMs} ms`} />
          <Fact term="Seed" value={String(config.seed)} />
        </dl>
        <p className="mt-2 text-xs text-slate-500">
          {settings.updatedAt
            ? `Last changed ${formatUtc(settings.updatedAt, "minutes")}${settings.updatedByEmail ? ` by ${settings.updatedByEmail}` : ""}.`
            : "Shipped defaults; nobody has changed them yet."}
        </p>
        <h4 className="mt-4 mb-2 text-sm font-semibold text-slate-800">Fault rules</h4>
        {config.faults.length === 0 ? (
          <p className="text-sm text-slate-600">No faults: every call succeeds.</p>
        ) : (
          <FaultTable rules={config.faults} />
        )}
      </div>

      {can(actor.role, "simulator:write") ? (
        <div className="rounded-xl border border-slate-200 bg-white p-4">
          <h3 className="mb-2 text-sm font-semibold text-slate-800">Change the simulator</h3>
          <SimulatorForm initial={config} agents={agents} />
        </div>
      ) : (
        <p className="text-sm text-slate-500">Only engineers and admins can change the simulator.</p>
      )}
    </section>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{term}</dt>
      <dd className="font-medium tabular-nums">{value}</dd>
    </div>
  );
}

function FaultTable({ rules }: { rules: FaultRule[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="simulator-fault-table">
        <thead className="bg-slate-50 text-xs text-slate-500 uppercase">
          <tr>
            <th className="px-3 py-2 font-medium">Applies to</th>
            {faultKinds.map((k) => (
              <th key={k} className="px-3 py-2 text-right font-medium">{faultLabels[k]}</th>
            ))}
            <th className="px-3 py-2 text-right font-medium">Retry-After</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rules.map((r, i) => (
            <tr key={i}>
              <td className="px-3 py-2">
                {r.target.agent ?? "every agent"}
                {r.target.tier ? `, ${r.target.tier} tier` : ""}
              </td>
              {faultKinds.map((k) => (
                <td key={k} className={`px-3 py-2 text-right tabular-nums ${r.rates[k] > 0 ? "font-medium text-rose-700" : "text-slate-400"}`}>
                  {pct(r.rates[k])}
                </td>
              ))}
              <td className="px-3 py-2 text-right tabular-nums">{r.retryAfterMs} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
