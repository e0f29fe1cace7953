"use client";

import { useActionState } from "react";
import { startRolloutAction } from "../actions";

export interface VersionOption {
  value: string;
  label: string;
}

/** Admins start a canary of a console-created version. */
export function StartRolloutForm({ versions }: { versions: VersionOption[] }) {
  const [state, action, pending] = useActionState(startRolloutAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const field = "mt-1 rounded-md border border-slate-300 px-2 py-1.5";
  return (
    <form action={action} aria-label="Start a canary" className="flex flex-wrap items-end gap-3" noValidate>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Canary version</span>
        <select name="version" className={`${field} w-64`} defaultValue={versions[0]?.value}>
          {versions.map((v) => (
            <option key={v.value} value={v.value}>
              {v.label}
            </option>
          ))}
        </select>
        {errors?.version ? <span className="mt-1 block text-xs text-rose-700">{errors.version.join(" ")}</span> : null}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Stages (%)</span>
        <input name="stages" defaultValue="10, 50, 100" className={`${field} w-36`} aria-invalid={errors?.stages ? true : undefined} />
        {errors?.stages ? <span className="mt-1 block text-xs text-rose-700">{errors.stages.join(" ")}</span> : null}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Minimum sample per stage</span>
        <input name="minSample" type="number" min={5} defaultValue={30} className={`${field} w-28`} aria-invalid={errors?.minSample ? true : undefined} />
        {errors?.minSample ? <span className="mt-1 block text-xs text-rose-700">{errors.minSample.join(" ")}</span> : null}
      </label>
      <button type="submit" disabled={pending || versions.length === 0} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {pending ? "Starting…" : "Start canary"}
      </button>
      {state && !state.ok && !errors ? (
        <p role="alert" className="w-full text-sm text-rose-700">{state.message}</p>
      ) : null}
      {state?.ok ? <p role="status" className="w-full text-sm text-emerald-800">Canary started.</p> : null}
    </form>
  );
}
