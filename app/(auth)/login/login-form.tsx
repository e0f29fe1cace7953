"use client";

import { useActionState } from "react";
import { signInAction, type SignInState } from "./actions";

export function LoginForm({ next, demo }: { next: string; demo: boolean }) {
  const [state, action, pending] = useActionState<SignInState | null, FormData>(signInAction, null);
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      {state?.error ? (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {state.error}
        </p>
      ) : null}
      <Field label="Email" name="email" type="email" autoComplete="username" defaultValue={state?.email} errors={state?.fieldErrors?.email} autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" errors={state?.fieldErrors?.password} />
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
      >
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {demo ? (
        <p className="text-xs text-slate-500">
          Demo accounts: admin@example.com, engineer@example.com, lead@example.com — password
          switchyard-demo.
        </p>
      ) : null}
    </form>
  );
}

function Field(props: {
  label: string;
  name: string;
  type: string;
  autoComplete: string;
  defaultValue?: string;
  errors?: string[];
  autoFocus?: boolean;
}) {
  const id = `login-${props.name}`;
  const errorId = `${id}-error`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type}
        autoComplete={props.autoComplete}
        defaultValue={props.defaultValue}
        autoFocus={props.autoFocus}
        required
        aria-invalid={props.errors ? true : undefined}
        aria-describedby={props.errors ? errorId : undefined}
        className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm"
      />
      {props.errors ? (
        <p id={errorId} className="mt-1 text-sm text-rose-700">
          {props.errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
