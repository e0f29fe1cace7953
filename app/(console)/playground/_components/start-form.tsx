"use client";

import { useActionState } from "react";
import { startPlaygroundConversationAction } from "../actions";

const examples = [
  "Please refund $40 on order ORD-1234",
  "I need a refund of $240 on order ORD-7730",
  "My sync failed with an error on my laptop",
  "Do you ship to Canada?",
];

/** The first customer message and the chain that answers it; the action opens the live view. */
export function StartForm({ chains }: { chains: string[] }) {
  const [state, action, pending] = useActionState(startPlaygroundConversationAction, null);
  const fieldError = (name: string) => (state && !state.ok ? state.fieldErrors?.[name]?.join(" ") : undefined);
  const messageError = fieldError("message");
  const chainError = fieldError("chain");
  const formError = state && !state.ok && !messageError && !chainError ? state.message : null;
  return (
    <form action={action} noValidate aria-label="Start a playground conversation" className="space-y-3">
      <div>
        <label htmlFor="playground-chain" className="block text-sm font-medium text-slate-700">
          Chain
        </label>
        <select
          id="playground-chain"
          name="chain"
          defaultValue={chains[0]}
          aria-invalid={chainError ? true : undefined}
          aria-describedby={chainError ? "playground-chain-error" : undefined}
          className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm"
        >
          {chains.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        {chainError ? (
          <p id="playground-chain-error" className="mt-1 text-sm text-rose-700">
            {chainError}
          </p>
        ) : null}
      </div>
      <div>
        <label htmlFor="playground-message" className="block text-sm font-medium text-slate-700">
          Your message as the customer
        </label>
        <textarea
          id="playground-message"
          name="message"
          rows={3}
          required
          maxLength={8000}
          placeholder={`e.g. ${examples[0]}`}
          aria-invalid={messageError ? true : undefined}
          aria-describedby={messageError ? "playground-message-error" : "playground-examples"}
          className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
          }}
        />
        {messageError ? (
          <p id="playground-message-error" className="mt-1 text-sm text-rose-700">
            {messageError}
          </p>
        ) : null}
        <p id="playground-examples" className="mt-1 text-xs text-slate-500">
          Try: {examples.map((e, i) => (
            <span key={e}>
              {i > 0 ? " · " : ""}“{e}”
            </span>
          ))}
        </p>
      </div>
      <div className="flex items-center gap-3">
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
        >
          {pending ? "Starting…" : "Send"}
        </button>
        <span className="text-xs text-slate-500">Ctrl+Enter sends.</span>
      </div>
      {formError ? (
        <p role="alert" className="text-sm text-rose-700">
          {formError}
        </p>
      ) : null}
    </form>
  );
}
