"use client";

import { useActionState } from "react";
import { setBudgetAction } from "../actions";

/** Sets a budget on a scope chosen from what this deployment has (chains, agents, API keys). */
export function AddBudgetForm({ options }: { options: { scope: string; label: string }[] }) {
  const [state, action, pending] = useActionState(setBudgetAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} aria-label="Set a budget" className="flex flex-wrap items-end gap-3" noValidate>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Applies to</span>
        <select name="scope" className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5" aria-invalid={errors?.scope ? true : undefined}>
          {options.map((o) => (
            <option key={o.scope} value={o.scope}>
              {o.label}
            </option>
          ))}
        </select>
        {errors?.scope ? <span className="mt-1 block text-xs text-rose-700">{errors.scope.join(" ")}</span> : null}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Limit (USD)</span>
        <input name="limitUsd" inputMode="decimal" placeholder="e.g. 25" className="mt-1 w-32 rounded-md border border-slate-300 px-3 py-1.5 tabular-nums" aria-invalid={errors?.limitUsd ? true : undefined} />
        {errors?.limitUsd ? <span className="mt-1 block text-xs text-rose-700">{errors.limitUsd.join(" ")}</span> : null}
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {pending ? "Saving…" : "Set budget"}
      </button>
      {state && !state.ok && !errors ? <p role="alert" className="w-full text-sm text-rose-700">{state.message}</p> : null}
      {state?.ok ? <p role="status" className="w-full text-sm text-emerald-800">Budget saved.</p> : null}
    </form>
  );
}
