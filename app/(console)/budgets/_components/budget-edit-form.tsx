"use client";

import { useActionState } from "react";
import { removeBudgetAction, setBudgetAction } from "../actions";

/** Changes one budget's limit in place; the page re-renders with the new bar on success. */
export function BudgetEditForm({ scope, label, limitUsd }: { scope: string; label: string; limitUsd: number }) {
  const [state, action, pending] = useActionState(setBudgetAction, null);
  const [removed, remove, removing] = useActionState(removeBudgetAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <div className="flex flex-wrap items-start gap-2">
      <form action={action} aria-label={`Edit budget: ${label}`} className="flex items-start gap-2" noValidate>
        <input type="hidden" name="scope" value={scope} />
        <label className="text-sm">
          <span className="sr-only">Limit in USD for {label}</span>
          <span className="flex items-center rounded-md border border-slate-300 bg-white px-2 focus-within:ring-2 focus-within:ring-indigo-200">
            <span aria-hidden className="text-slate-400">$</span>
            <input
              name="limitUsd"
              inputMode="decimal"
              defaultValue={String(limitUsd)}
              className="w-28 px-1 py-1 tabular-nums outline-none"
              aria-invalid={errors?.limitUsd ? true : undefined}
            />
          </span>
          {errors?.limitUsd ? <span role="alert" className="mt-1 block max-w-48 text-xs text-rose-700">{errors.limitUsd.join(" ")}</span> : null}
        </label>
        <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-3 py-1 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          {pending ? "Saving…" : "Save"}
        </button>
      </form>
      <form action={remove}>
        <input type="hidden" name="scope" value={scope} />
        <button type="submit" disabled={removing} className="rounded-md border border-slate-300 px-3 py-1 text-sm text-slate-700 hover:bg-slate-50 disabled:opacity-60" aria-label={`Remove budget: ${label}`}>
          Remove
        </button>
      </form>
      {state && !state.ok && !errors?.limitUsd ? <p role="alert" className="w-full text-xs text-rose-700">{state.message}</p> : null}
      {removed && !removed.ok ? <p role="alert" className="w-full text-xs text-rose-700">{removed.message}</p> : null}
    </div>
  );
}
