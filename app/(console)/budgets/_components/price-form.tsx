"use client";

import { useActionState } from "react";
import { addModelPriceAction } from "../actions";

const fields = [
  { name: "inputPerMTok", label: "Input" },
  { name: "outputPerMTok", label: "Output" },
  { name: "cachedInputPerMTok", label: "Cached input" },
] as const;

/** Adds a new version of a model's price, in force from now (earlier calls keep their price). */
export function PriceForm({ models }: { models: string[] }) {
  const [state, action, pending] = useActionState(addModelPriceAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} aria-label="Add a price version" className="flex flex-wrap items-end gap-3" noValidate>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Model</span>
        <input name="model" list="known-models" placeholder="e.g. gpt-4.1" className="mt-1 w-52 rounded-md border border-slate-300 px-3 py-1.5" aria-invalid={errors?.model ? true : undefined} />
        <datalist id="known-models">
          {models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        {errors?.model ? <span className="mt-1 block text-xs text-rose-700">{errors.model.join(" ")}</span> : null}
      </label>
      {fields.map((f) => (
        <label key={f.name} className="text-sm">
          <span className="block font-medium text-slate-700">{f.label} $/M tokens</span>
          <input name={f.name} inputMode="decimal" className="mt-1 w-28 rounded-md border border-slate-300 px-3 py-1.5 tabular-nums" aria-invalid={errors?.[f.name] ? true : undefined} />
          {errors?.[f.name] ? <span className="mt-1 block max-w-40 text-xs text-rose-700">{errors[f.name]!.join(" ")}</span> : null}
        </label>
      ))}
      <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {pending ? "Saving…" : "Add version"}
      </button>
      {state && !state.ok && !errors ? <p role="alert" className="w-full text-sm text-rose-700">{state.message}</p> : null}
      {state?.ok ? (
        <p role="status" className="w-full text-sm text-emerald-800">
          {state.data.model} is now at version {state.data.version}.
        </p>
      ) : null}
    </form>
  );
}
