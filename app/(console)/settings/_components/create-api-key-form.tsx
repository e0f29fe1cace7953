"use client";

import { useActionState } from "react";
import { createApiKeyAction } from "../actions";

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" aria-label="Create an API key" noValidate>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Name</span>
        <input name="name" required maxLength={100} placeholder="e.g. Help-desk integration" className="mt-1 w-72 rounded-md border border-slate-300 px-3 py-1.5" aria-invalid={errors?.name ? true : undefined} />
        {errors?.name ? <span className="mt-1 block text-xs text-rose-700">{errors.name.join(" ")}</span> : null}
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {pending ? "Creating…" : "Create key"}
      </button>
      {state && !state.ok && !errors?.name ? (
        <p role="alert" className="w-full text-sm text-rose-700">{state.message}</p>
      ) : null}
      {state?.ok ? (
        <div role="status" className="w-full rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          <p>
            Created “{state.data.name}”. Copy the key now: it is shown only once and stored only as a hash.
          </p>
          <code className="mt-1 block w-fit rounded bg-white px-2 py-1 font-mono select-all break-all" data-testid="new-api-key">{state.data.key}</code>
        </div>
      ) : null}
    </form>
  );
}
