"use client";

import { useActionState } from "react";
import { roleLabels, roles } from "@/lib/auth/permissions";
import { inviteUserAction } from "../actions";

export function InviteUserForm() {
  const [state, action, pending] = useActionState(inviteUserAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" aria-label="Invite a user" noValidate>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Email</span>
        <input name="email" type="email" required className="mt-1 w-64 rounded-md border border-slate-300 px-3 py-1.5" aria-invalid={errors?.email ? true : undefined} />
        {errors?.email ? <span className="mt-1 block text-xs text-rose-700">{errors.email.join(" ")}</span> : null}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Name</span>
        <input name="name" required className="mt-1 w-48 rounded-md border border-slate-300 px-3 py-1.5" aria-invalid={errors?.name ? true : undefined} />
        {errors?.name ? <span className="mt-1 block text-xs text-rose-700">{errors.name.join(" ")}</span> : null}
      </label>
      <label className="text-sm">
        <span className="block font-medium text-slate-700">Role</span>
        <select name="role" defaultValue="support_lead" className="mt-1 rounded-md border border-slate-300 px-2 py-1.5">
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabels[r]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {pending ? "Inviting…" : "Invite"}
      </button>
      {state && !state.ok && !errors?.email && !errors?.name ? (
        <p role="alert" className="w-full text-sm text-rose-700">{state.message}</p>
      ) : null}
      {state?.ok ? (
        <p role="status" className="w-full rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          Invited {state.data.email}. One-time password, shown only now:{" "}
          <code className="rounded bg-white px-1.5 py-0.5 font-mono" data-testid="temporary-password">{state.data.temporaryPassword}</code>
        </p>
      ) : null}
    </form>
  );
}
