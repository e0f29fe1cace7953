import type { Actor } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { getTrafficSettings } from "@/lib/dal/traffic-settings";
import { TrafficToggle } from "./traffic-toggle";

/** Settings → Demo traffic: the simulated customers that keep a demo console alive. */
export async function TrafficSection({ actor }: { actor: Actor }) {
  const settings = await getTrafficSettings();
  const effective = settings.allowedByEnv && settings.enabled;
  return (
    <section aria-labelledby="traffic-heading" className="mb-10">
      <h2 id="traffic-heading" className="mb-3 text-lg font-semibold">Demo traffic</h2>
      <div className="max-w-3xl rounded-xl border border-slate-200 bg-white p-4 text-sm">
        <p className="mb-3 text-slate-600">
          Simulated customers start a conversation every 5–15 seconds (billing questions, refunds,
          technical problems, the odd request for a person), answered by the live agent team on the{" "}
          <span className="rounded bg-amber-100 px-1 py-0.5 text-xs font-medium text-amber-900">simulator</span>.
          Their conversations carry <code className="font-mono text-xs">source: traffic-generator</code> in
          their metadata.
        </p>
        <dl className="mb-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1">
          <dt className="text-slate-500">Status</dt>
          <dd data-testid="traffic-status" className="font-medium">
            {effective ? "On" : "Off"}
            {settings.allowedByEnv && settings.enabled && !settings.runningHere ? (
              <span className="font-normal text-slate-500"> (runs in the app process that started it)</span>
            ) : null}
          </dd>
          <dt className="text-slate-500">Environment</dt>
          <dd>
            <code className="font-mono text-xs">SWITCHYARD_DEMO_TRAFFIC={settings.envMode}</code>
            <span className="text-slate-500">
              {settings.allowedByEnv
                ? " — allows demo traffic"
                : " — no demo traffic in this deployment; the switch below has no effect here"}
            </span>
          </dd>
        </dl>
        {can(actor.role, "simulator:write") ? (
          <TrafficToggle enabled={settings.enabled} />
        ) : (
          <p className="text-slate-500">Engineers and admins can switch demo traffic on and off.</p>
        )}
      </div>
    </section>
  );
}
