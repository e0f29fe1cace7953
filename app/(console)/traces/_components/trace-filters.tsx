import Form from "next/form";
import Link from "next/link";
import { runStatusLabels } from "@/components/ui/run-status-badge";
import { traceStatuses } from "@/lib/dal/traces";
import { isFiltered, tracesHref, type TraceSearch } from "./search-params";

const rangeLabels = { "1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days", custom: "Custom (UTC)" } as const;

const field = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm placeholder:text-slate-400";
const label = "flex flex-col gap-1 text-xs font-medium text-slate-600";

/**
 * Every filter lives in the URL: a plain GET form (no client state), so a filtered view can be
 * shared and the back button works. Submitting starts again from the newest page.
 */
export function TraceFilters({
  search,
  agentSuggestions,
  modelSuggestions,
}: {
  search: TraceSearch;
  agentSuggestions: string[];
  modelSuggestions: string[];
}) {
  return (
    <Form
      action="/traces"
      aria-label="Filter traces"
      className="mb-4 flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-3"
    >
      <label className={label}>
        Time range
        <select name="range" defaultValue={search.range} className={field}>
          {Object.entries(rangeLabels).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        From (UTC, custom)
        <input type="datetime-local" name="from" defaultValue={search.from ?? ""} className={field} />
      </label>
      <label className={label}>
        To (UTC, custom)
        <input type="datetime-local" name="to" defaultValue={search.to ?? ""} className={field} />
      </label>
      <label className={label}>
        Agent
        <input
          name="agent"
          list="trace-agents"
          defaultValue={search.agent ?? ""}
          maxLength={100}
          placeholder="any"
          className={`${field} w-36`}
        />
      </label>
      <datalist id="trace-agents">
        {agentSuggestions.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <label className={label}>
        Status
        <select name="status" defaultValue={search.status ?? ""} className={field}>
          <option value="">any</option>
          {traceStatuses.map((s) => (
            <option key={s} value={s}>
              {runStatusLabels[s]}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Model
        <input
          name="model"
          list="trace-models"
          defaultValue={search.model ?? ""}
          maxLength={100}
          placeholder="any"
          className={`${field} w-44`}
        />
      </label>
      <datalist id="trace-models">
        {modelSuggestions.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <label className={label}>
        Min cost (USD)
        <input
          name="minCost"
          type="number"
          min={0}
          step="any"
          inputMode="decimal"
          defaultValue={search.minCost ?? ""}
          placeholder="0"
          className={`${field} w-28`}
        />
      </label>
      <label className={label}>
        Min latency (ms)
        <input
          name="minLatency"
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          defaultValue={search.minLatency ?? ""}
          placeholder="0"
          className={`${field} w-28`}
        />
      </label>
      <div className="flex items-center gap-3">
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700"
        >
          Apply
        </button>
        {isFiltered(search) || search.range !== "24h" ? (
          <Link href={tracesHref({})} className="text-sm text-indigo-700 underline">
            Reset
          </Link>
        ) : null}
      </div>
    </Form>
  );
}
