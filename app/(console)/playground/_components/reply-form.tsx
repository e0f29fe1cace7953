"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useActionState } from "react";
import { conversationKeys } from "@/lib/query/conversations";
import { sendTestMessageAction } from "../../conversations/actions";

type SendResult = Awaited<ReturnType<typeof sendTestMessageAction>>;

/** The customer's next message; a sent message restarts the live view's polling. */
export function ReplyForm({ conversationId }: { conversationId: string }) {
  const queryClient = useQueryClient();
  const [state, action, pending] = useActionState(async (prev: SendResult | null, form: FormData) => {
    const result = await sendTestMessageAction(prev, form);
    if (result.ok) await queryClient.invalidateQueries({ queryKey: conversationKeys.detail(conversationId) });
    return result;
  }, null);
  const error = state && !state.ok ? (state.fieldErrors?.message?.join(" ") ?? state.message) : null;
  return (
    <form action={action} noValidate aria-label="Reply as the customer" className="space-y-2">
      <input type="hidden" name="conversationId" value={conversationId} />
      <label htmlFor="playground-reply" className="block text-sm font-medium text-slate-700">
        Your next message as the customer
      </label>
      <textarea
        id="playground-reply"
        name="message"
        rows={2}
        required
        maxLength={8000}
        placeholder="Your next message…"
        aria-invalid={error ? true : undefined}
        className="w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
        }}
      />
      <div className="flex items-center gap-3">
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
        >
          {pending ? "Sending…" : "Send"}
        </button>
        <span className="text-xs text-slate-500">Ctrl+Enter sends.</span>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
