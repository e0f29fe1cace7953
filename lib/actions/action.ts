import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { authorize, type Actor } from "@/lib/auth/authorize";
import type { Permission } from "@/lib/auth/permissions";
import { AppError, type ErrorCode } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";

export type ActionResult<T = unknown> =
  | { ok: true; data: T }
  | { ok: false; code: ErrorCode; message: string; fieldErrors?: Record<string, string[]> };

/** The signature `useActionState` expects: previous state and the submitted form. */
export type FormAction<T> = (prev: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;

/**
 * Wraps a server action: authorize first (a server action is a public POST endpoint), then parse
 * the form with zod, then run. Expected failures become a result; anything else is logged with an
 * id and reported without internals.
 */
export function formAction<S extends z.ZodType, T>(
  permission: Permission,
  schema: S,
  handler: (input: z.infer<S>, actor: Actor) => Promise<T>,
): FormAction<T> {
  return async (_prev, form) => {
    try {
      const actor = await authorize(permission);
      const parsed = schema.safeParse(formToObject(form));
      if (!parsed.success) {
        return {
          ok: false,
          code: "invalid",
          message: "Please correct the highlighted fields.",
          fieldErrors: fieldErrorsOf(parsed.error),
        };
      }
      return { ok: true, data: await handler(parsed.data, actor) };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof AppError) {
        return { ok: false, code: error.code, message: error.message, fieldErrors: error.fieldErrors };
      }
      const errorId = logUnexpected(error, { permission });
      return { ok: false, code: "internal", message: `Something went wrong (error ${errorId}).` };
    }
  };
}

function formToObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    // React adds $ACTION_* fields for progressive enhancement; they are not input.
    if (typeof value === "string" && !key.startsWith("$ACTION")) out[key] = value;
  }
  return out;
}

function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
