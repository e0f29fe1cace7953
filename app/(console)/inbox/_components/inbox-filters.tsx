import Form from "next/form";
import Link from "next/link";
import { inboxReasons, reasonPolicy } from "@/lib/escalations/policy";
import type { InboxFilters as Filters } from "@/lib/query/inbox";

const ages = [
  ["15m", "15 minutes"],
  ["1h", "1 hour"],
  ["4h", "4 hours"],
  ["24h", "1 day"],
] as const;

const select = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/** Reason, agent and age; a GET form, so the filters live in the URL. */
export function InboxFilters({ filters, agents }: { filters: Filters; agents: string[] }) {
  const filtered = Boolean(filters.reason || filters.agent || filters.age);
  return (
    <Form
      action="/inbox"
      className="mb-4 flex flex-wrap items-end gap-3 text-sm"
      aria-label="Filter the inbox"
    >
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-600">Reason</span>
        <select name="reason" defaultValue={filters.reason ?? ""} className={select}>
          <option value="">Any reason</option>
          {inboxReasons.map((r) => (
            <option key={r} value={r}>
              {reasonPolicy(r).label}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-600">Agent</span>
        <select name="agent" defaultValue={filters.agent ?? ""} className={select}>
          <option value="">Any agent</option>
          {[...new Set([...agents, ...(filters.agent ? [filters.agent] : [])])].map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-600">Waiting at least</span>
        <select name="age" defaultValue={filters.age ?? ""} className={select}>
          <option value="">Any time</option>
          {ages.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        className="rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white hover:bg-slate-700"
      >
        Apply
      </button>
      {filtered ? (
        <Link href="/inbox" className="py-1.5 text-indigo-700 underline">
          Clear filters
        </Link>
      ) : null}
    </Form>
  );
}
