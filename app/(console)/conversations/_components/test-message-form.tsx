"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/actions/action";
import { sendTestMessageAction, startTestConversationAction } from "../actions";

// The engineer's side of a test conversation: they write as the customer to the live agent team.

/** Starts a new test conversation; the action then opens it. */
export function StartTestConversationForm() {
  const [state, action, pending] = useActionState(startTestConversationAction, null);
  return (
    <MessageForm
      action={action}
      pending={pending}
      state={state}
      label="Start a test conversation as a customer"
      placeholder="e.g. Please refund $40 on order ORD-1234"
    />
  );
}

/** The next customer message of a console conversation. */
export function ReplyAsCustomerForm({ conversationId }: { conversationId: string }) {
  const [state, action, pending] = useActionState(sendTestMessageAction, null);
  return (
    <MessageForm action={action} pending={pending} state={state} label="Reply as the customer" placeholder="Your next message…">
      <input type="hidden" name="conversationId" value={conversationId} />
    </MessageForm>
  );
}

function MessageForm(props: {
  action: (form: FormData) => void;
  pending: boolean;
  state: ActionResult | null;
  label: string;
  placeholder: string;
  children?: React.ReactNode;
}) {
  const { state } = props;
  const error = state && !state.ok ? (state.fieldErrors?.message?.join(" ") ?? state.message) : null;
  return (
    <form action={props.action} className="space-y-2" noValidate aria-label={props.label}>
      {props.children}
      <label className="block text-sm font-medium text-slate-700" htmlFor="test-message">
        {props.label}
      </label>
      <textarea
        id="test-message"
        name="message"
        rows={2}
        required
        placeholder={props.placeholder}
        className="w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
        aria-invalid={error ? true : undefined}
        onKeyDown={(e) => {
          // Ctrl/Cmd+Enter sends, as in most chat tools.
          if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
        }}
      />
      <div className="flex items-center gap-3">
        <button
          type="submit"
          disabled={props.pending}
          className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
        >
          {props.pending ? "Sending…" : "Send"}
        </button>
        <span className="text-xs text-slate-500">Ctrl+Enter sends. The live agent team answers.</span>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
