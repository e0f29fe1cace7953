"use client";

import { useActionState } from "react";
import { acknowledgeAlertAction } from "../alert-actions";

export function AcknowledgeAlertButton({ id, label }: { id: string; label: string }) {
  const [state, action, pending] = useActionState(acknowledgeAlertAction, null);
  return (
    <form action={action} className="flex flex-col items-end gap-1">
      <input type="hidden" name="id" value={id} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`Acknowledge: ${label}`}
        className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm text-slate-700 hover:bg-slate-50 disabled:opacity-60"
      >
        {pending ? "Acknowledging…" : "Acknowledge"}
      </button>
      {state && !state.ok ? <p role="alert" className="text-xs text-rose-700">{state.message}</p> : null}
    </form>
  );
}
