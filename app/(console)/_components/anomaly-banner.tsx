import Link from "next/link";
import { describeAlert, metricLabels } from "@/lib/alerts/describe";
import { listAnomalyAlerts } from "@/lib/dal/alerts";

const SHOWN = 3;
/** One alert per agent and metric can be open: this many is every metric of ten agents. */
const COUNTED = 40;

/** The overview's compact list of open anomaly alerts; nothing at all when there are none. */
export async function AnomalyBanner() {
  const open = await listAnomalyAlerts({ openOnly: true, limit: COUNTED + 1 });
  if (open.length === 0) return null;
  const count = open.length > COUNTED ? `More than ${COUNTED}` : String(open.length);
  return (
    <section aria-labelledby="anomaly-banner-heading" data-testid="anomaly-banner" className="mb-6 rounded-xl border border-rose-200 bg-rose-50 px-4 py-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="anomaly-banner-heading" className="text-sm font-semibold text-rose-900">
          {count} open anomaly alert{open.length === 1 ? "" : "s"}
        </h2>
        <Link href="/budgets#alerts" className="text-xs font-medium text-rose-800 hover:underline">
          Review on Budgets →
        </Link>
      </div>
      <ul className="mt-1 space-y-0.5 text-sm text-rose-900">
        {open.slice(0, SHOWN).map((a) => (
          <li key={a.id}>
            <span className="font-medium">{a.agent}</span> {metricLabels[a.metric].toLowerCase()}: {describeAlert(a)}
          </li>
        ))}
      </ul>
    </section>
  );
}
