"use client";

import { type ReactNode, useActionState } from "react";
import type { FormAction } from "@/lib/actions/action";

/**
 * One inbox action as a form: hidden fields, the caller's inputs, a submit button and the
 * action's refusal (a conflict names who holds the claim) shown where it happened.
 */
export function ActionForm<T>({
  action,
  label,
  hidden,
  submit,
  pendingText,
  tone = "primary",
  children,
}: {
  action: FormAction<T>;
  label: string;
  hidden: Record<string, string>;
  submit: string;
  pendingText: string;
  tone?: "primary" | "secondary" | "danger";
  children?: ReactNode;
}) {
  const [state, run, pending] = useActionState(action, null);
  const error =
    state && !state.ok
      ? (Object.values(state.fieldErrors ?? {})[0]?.join(" ") ?? state.message)
      : null;
  return (
    <form action={run} aria-label={label} className="space-y-2">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <button
        type="submit"
        disabled={pending}
        className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-60 ${tones[tone]}`}
      >
        {pending ? pendingText : submit}
      </button>
      {error ? (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}

const tones = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-700",
  secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50",
  danger: "border border-rose-300 bg-white text-rose-700 hover:bg-rose-50",
};

export const textareaClass = "w-full rounded-md border border-slate-300 px-3 py-2 text-sm";
