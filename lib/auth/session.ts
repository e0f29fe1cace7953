import "server-only";
import { auth } from "./config";

/** The signed-in user's id from the session cookie, or null. Tests replace this module. */
export async function getSessionUserId(): Promise<string | null> {
  const session = await auth();
  return session?.user?.id ?? null;
}
