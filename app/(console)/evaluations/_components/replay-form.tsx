"use client";

import { useActionState } from "react";
import { startReplayAction } from "../actions";

export interface Option {
  value: string;
  label: string;
}

/** Engineers replay one conversation, or a filter's conversations, against a candidate version. */
export function ReplayForm({ versions, filters }: { versions: Option[]; filters: Option[] }) {
  const [state, action, pending] = useActionState(startReplayAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const field = "mt-1 rounded-md border border-slate-300 px-2 py-1.5";
  return (
    <form action={action} aria-label="Replay conversations" className="flex flex-wrap items-end gap-3" noValidate>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Candidate version</span>
        <select name="version" className={`${field} w-52`} defaultValue={versions[0]?.value}>
          {versions.map((v) => (
            <option key={v.value} value={v.value}>{v.label}</option>
          ))}
        </select>
        {errors?.version ? <span className="mt-1 block text-xs text-rose-700">{errors.version.join(" ")}</span> : null}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Conversation id</span>
        <input name="conversationId" placeholder="cnv_…" className={`${field} w-72 font-mono text-xs`} aria-invalid={errors?.conversationId ? true : undefined} />
        {errors?.conversationId ? <span className="mt-1 block text-xs text-rose-700">{errors.conversationId.join(" ")}</span> : null}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">or a filter</span>
        <select name="filter" defaultValue="" className={field}>
          <option value="">—</option>
          {filters.map((f) => (
            <option key={f.value} value={f.value}>{f.label}</option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">At most</span>
        <input name="limit" type="number" min={1} max={50} defaultValue={10} className={`${field} w-20`} />
      </label>
      <button type="submit" disabled={pending || versions.length === 0} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {pending ? "Queuing…" : "Replay"}
      </button>
      {state && !state.ok && !errors ? <p role="alert" className="w-full text-sm text-rose-700">{state.message}</p> : null}
      {state?.ok ? (
        <p role="status" className="w-full text-sm text-emerald-800">
          Queued {state.data.count} replay{state.data.count === 1 ? "" : "s"}; results appear below as batch work completes.
        </p>
      ) : null}
    </form>
  );
}
