"use client";

import { useActionState } from "react";
import { roleLabels, roles, type Role } from "@/lib/auth/permissions";
import { formatUtc } from "@/lib/format";
import { changeUserRoleAction, setUserDisabledAction } from "../actions";

export interface UserRowProps {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  lastSignInAt: string | null;
  isSelf: boolean;
}

export function UserRow(user: UserRowProps) {
  const [roleState, changeRole, rolePending] = useActionState(changeUserRoleAction, null);
  const [disableState, toggle, togglePending] = useActionState(setUserDisabledAction, null);
  const error = [roleState, disableState].find((s) => s && !s.ok);
  return (
    <tr className={user.disabled ? "bg-slate-50 text-slate-400" : undefined} data-testid={`user-${user.email}`}>
      <td className="px-4 py-2">
        <div className="font-medium">{user.name}</div>
        <div className="text-xs text-slate-500">{user.email}</div>
      </td>
      <td className="px-4 py-2">
        {/* Keyed by role: React resets a form to its defaultValue after the action, and a select
            ignores later defaultValue changes, so without a remount it could show the old role. */}
        <form key={user.role} action={changeRole} className="flex items-center gap-2">
          <input type="hidden" name="userId" value={user.id} />
          <select name="role" defaultValue={user.role} aria-label={`Role of ${user.email}`} className="rounded-md border border-slate-300 px-2 py-1 text-sm">
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabels[r]}
              </option>
            ))}
          </select>
          <button type="submit" disabled={rolePending} className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100">
            Save role
          </button>
          {roleState?.ok && roleState.data.role === user.role ? (
            <span role="status" className="text-xs text-emerald-700">
              Saved
            </span>
          ) : null}
        </form>
      </td>
      <td className="px-4 py-2 text-sm">{user.disabled ? "Disabled" : "Active"}</td>
      <td className="px-4 py-2 text-xs text-slate-500">
        {user.lastSignInAt ? formatUtc(user.lastSignInAt, "minutes") : "Never"}
      </td>
      <td className="px-4 py-2">
        <form action={toggle}>
          <input type="hidden" name="userId" value={user.id} />
          <input type="hidden" name="disabled" value={user.disabled ? "false" : "true"} />
          <button type="submit" disabled={togglePending || user.isSelf} title={user.isSelf ? "You cannot disable yourself" : undefined} className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 disabled:opacity-50">
            {user.disabled ? "Enable" : "Disable"}
          </button>
        </form>
        {error && !error.ok ? <p role="alert" className="mt-1 text-xs text-rose-700">{error.message}</p> : null}
      </td>
    </tr>
  );
}
