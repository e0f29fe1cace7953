"use client";

import { useActionState } from "react";
import { setDemoTrafficAction } from "../traffic-actions";

/** The demo traffic switch; the running generator picks the change up within seconds. */
export function TrafficToggle({ enabled }: { enabled: boolean }) {
  const [state, action, pending] = useActionState(setDemoTrafficAction, null);
  return (
    <form action={action} aria-label="Demo traffic switch" className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
      >
        {pending ? "Saving…" : enabled ? "Turn demo traffic off" : "Turn demo traffic on"}
      </button>
      <span className="text-xs text-slate-500">Takes effect within a few seconds; the change is audited.</span>
      {state && !state.ok ? (
        <p role="alert" className="w-full text-sm text-rose-700">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
