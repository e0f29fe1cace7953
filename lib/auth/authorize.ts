import "server-only";
import { eq } from "drizzle-orm";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { db, schema } from "@/db";
import { AppError } from "@/lib/errors";
import { can, type Permission, type Role } from "./permissions";
import { getSessionUserId } from "./session";

export interface Actor {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/**
 * The signed-in user as the database knows them now. The role is read here, not from the token,
 * so a demotion or a disabled account takes effect on the very next request.
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  const id = await getSessionUserId();
  if (!id) return null;
  const [row] = await db()
    .select({
      id: schema.users.id,
      email: schema.users.email,
      name: schema.users.name,
      role: schema.users.role,
      disabledAt: schema.users.disabledAt,
    })
    .from(schema.users)
    .where(eq(schema.users.id, id))
    .limit(1);
  if (!row || row.disabledAt) return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role };
});

/** For server actions and route handlers: the actor, or an AppError (unauthorized/forbidden). */
export async function authorize(permission: Permission): Promise<Actor> {
  const actor = await getActor();
  if (!actor) throw new AppError("unauthorized", "Sign in to continue.");
  if (!can(actor.role, permission)) {
    throw new AppError("forbidden", "Your role does not allow this.");
  }
  return actor;
}

/** For pages: sends visitors to sign in and answers 403 to a role without the permission. */
export async function authorizePage(permission: Permission): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, permission)) forbidden();
  return actor;
}
