"use server";

import { AuthError } from "next-auth";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { signIn } from "@/lib/auth/config";
import { signInSchema } from "@/lib/auth/credentials";
import { logUnexpected } from "@/lib/log";

export type SignInState = { error?: string; fieldErrors?: Record<string, string[]>; email?: string };

const formSchema = signInSchema.extend({
  // Only same-site paths, so the form cannot be used as an open redirect.
  next: z
    .string()
    .regex(/^\/(?!\/)[\w\-/?=&%.]*$/)
    .catch("/")
    .default("/"),
});

/** Public by nature: the one action an anonymous visitor may call. */
export async function signInAction(_prev: SignInState | null, form: FormData): Promise<SignInState> {
  const raw = {
    email: form.get("email"),
    password: form.get("password"),
    next: form.get("next") ?? undefined,
  };
  const parsed = formSchema.safeParse(raw);
  const email = typeof raw.email === "string" ? raw.email : "";
  if (!parsed.success) {
    return { email, fieldErrors: z.flattenError(parsed.error).fieldErrors };
  }
  try {
    await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirectTo: parsed.data.next,
    });
    return {};
  } catch (error) {
    unstable_rethrow(error); // the success path is a redirect, thrown
    if (error instanceof AuthError && error.type === "CredentialsSignin") {
      const code = (error as AuthError & { code?: string }).code;
      return {
        email,
        error:
          code === "disabled"
            ? "This account is disabled. Ask an admin to enable it again."
            : "Wrong email or password.",
      };
    }
    const id = logUnexpected(error, { action: "signIn" });
    return { email, error: `Sign-in failed unexpectedly (error ${id}). Try again.` };
  }
}
