import { RelativeTime } from "@/components/ui/relative-time";
import { describeAlert, metricLabels } from "@/lib/alerts/describe";
import type { AnomalyAlertDto } from "@/lib/dal/alerts";
import { AcknowledgeAlertButton } from "./acknowledge-alert-button";

/** Open alerts with their acknowledge button (admins), then those acknowledged this week. */
export function AnomalyAlerts({ alerts, canAcknowledge }: { alerts: AnomalyAlertDto[]; canAcknowledge: boolean }) {
  const open = alerts.filter((a) => !a.acknowledgedAt);
  return (
    <section id="alerts" aria-labelledby="alerts-heading" className="mb-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="alerts-heading" className="mb-1 text-base font-semibold">
        Anomaly alerts{open.length > 0 ? <span className="ml-2 rounded-full bg-rose-100 px-2 py-0.5 text-xs font-medium text-rose-800">{open.length} open</span> : null}
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        Every hour each agent&apos;s spend, LLM latency, error rate and escalation rate are compared with the 24 hours before: an
        alert when a value is over twice the average or beyond two standard deviations, and the rise is more than noise.
      </p>
      {alerts.length === 0 ? <p className="text-sm text-slate-600">No anomalies in the last week.</p> : null}
      <ul className="divide-y divide-slate-100">
        {alerts.map((a) => {
          const label = `${a.agent}: ${metricLabels[a.metric].toLowerCase()}`;
          return (
            <li key={a.id} data-testid={`alert-${a.agent}-${a.metric}`} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className={a.acknowledgedAt ? "text-slate-500" : undefined}>
                <p className="text-sm font-medium">
                  <span className={`mr-2 inline-block h-2 w-2 rounded-full ${a.acknowledgedAt ? "bg-slate-300" : "bg-rose-500"}`} aria-hidden />
                  {a.agent} · {metricLabels[a.metric]}
                </p>
                <p className="text-sm">{describeAlert(a)}</p>
                <p className="text-xs text-slate-500">
                  Raised <RelativeTime iso={a.raisedAt} />
                  {a.acknowledgedAt ? (
                    <>
                      {" "}· acknowledged <RelativeTime iso={a.acknowledgedAt} />
                      {a.acknowledgedByEmail ? ` by ${a.acknowledgedByEmail}` : ""}
                    </>
                  ) : null}
                </p>
              </div>
              {!a.acknowledgedAt && canAcknowledge ? <AcknowledgeAlertButton id={a.id} label={label} /> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
