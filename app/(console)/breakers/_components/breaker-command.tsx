"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useActionState, useEffect } from "react";
import { breakerKeys } from "@/lib/query/breakers";
import { forceOpenBreakerAction, resetBreakerAction } from "../actions";

/** An admin's trip or reset button for one breaker; the list refreshes when it succeeds. */
export function BreakerCommand({
  breakerKey,
  command,
}: {
  breakerKey: string;
  command: "force_open" | "reset";
}) {
  const action = command === "force_open" ? forceOpenBreakerAction : resetBreakerAction;
  const [state, submit, pending] = useActionState(action, null);
  const client = useQueryClient();
  useEffect(() => {
    if (state?.ok) void client.invalidateQueries({ queryKey: breakerKeys.all });
  }, [state, client]);
  const label = command === "force_open" ? "Trip" : "Reset";
  return (
    <form action={submit} className="inline">
      <input type="hidden" name="key" value={breakerKey} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`${label} ${breakerKey}`}
        className={`rounded-md px-2 py-1 text-xs font-medium disabled:opacity-60 ${
          command === "force_open"
            ? "border border-red-300 bg-white text-red-700 hover:bg-red-50"
            : "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50"
        }`}
      >
        {pending ? "…" : label}
      </button>
      {state && !state.ok ? (
        <span role="alert" className="ml-2 text-xs text-rose-700">
          {state.message}
        </span>
      ) : null}
    </form>
  );
}
