"use client";

import { useActionState } from "react";
import { revokeApiKeyAction } from "../actions";

export function RevokeApiKeyButton({ id, name }: { id: string; name: string }) {
  const [state, revoke, pending] = useActionState(revokeApiKeyAction, null);
  return (
    <form action={revoke}>
      <input type="hidden" name="apiKeyId" value={id} />
      <button type="submit" disabled={pending} aria-label={`Revoke API key ${name}`} title="Takes effect immediately and cannot be undone" className="rounded-md border border-rose-300 px-2 py-1 text-xs text-rose-700 hover:bg-rose-50 disabled:opacity-50">
        {pending ? "Revoking…" : "Revoke now"}
      </button>
      {state && !state.ok ? <p role="alert" className="mt-1 text-xs text-rose-700">{state.message}</p> : null}
    </form>
  );
}
