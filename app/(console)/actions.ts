"use server";

import { signOut } from "@/lib/auth/config";

/** Clears the session cookie. Harmless for a visitor without one, so no permission is needed. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
