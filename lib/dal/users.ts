import "server-only";
import { and, asc, eq, isNull, ne } from "drizzle-orm";
import { db, schema } from "@/db";
import { authorize, type Actor } from "@/lib/auth/authorize";
import { generateTemporaryPassword, hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAudit } from "./audit";

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  lastSignInAt: string | null;
  createdAt: string;
}

const u = schema.users;
const userColumns = {
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  disabledAt: u.disabledAt,
  lastSignInAt: u.lastSignInAt,
  createdAt: u.createdAt,
};

function toDto(r: {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabledAt: Date | null;
  lastSignInAt: Date | null;
  createdAt: Date;
}): UserDto {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    disabled: r.disabledAt !== null,
    lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

export async function listUsers(): Promise<UserDto[]> {
  await authorize("users:read");
  const rows = await db().select(userColumns).from(u).orderBy(asc(u.createdAt), asc(u.id));
  return rows.map(toDto);
}

// Mutations take the actor that formAction() already authorized; reads authorize themselves.

/** Creates an account with a one-time password that the inviting admin hands over. */
export async function inviteUser(
  actor: Actor,
  input: { email: string; name: string; role: Role },
): Promise<{ user: UserDto; temporaryPassword: string }> {
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const user = await db().transaction(async (tx) => {
    const inserted = await tx
      .insert(u)
      .values({ id: newId("usr"), email: input.email, name: input.name, role: input.role, passwordHash })
      .onConflictDoNothing()
      .returning(userColumns);
    const row = inserted[0];
    if (!row) {
      throw new AppError("conflict", "A user with this email already exists.", {
        email: ["A user with this email already exists."],
      });
    }
    const dto = toDto(row);
    await recordAudit(tx, actor, {
      action: "user.invite",
      targetType: "user",
      targetId: dto.id,
      after: { email: dto.email, name: dto.name, role: dto.role },
    });
    return dto;
  });
  return { user, temporaryPassword };
}

export async function changeUserRole(actor: Actor, userId: string, role: Role): Promise<UserDto> {
  return db().transaction(async (tx) => {
    const before = await lockUser(tx, userId);
    if (before.role === role) return toDto(before);
    if (before.role === "admin") await assertAnotherActiveAdmin(tx, userId);
    const [after] = await tx
      .update(u)
      .set({ role, updatedAt: new Date() })
      .where(eq(u.id, userId))
      .returning(userColumns);
    await recordAudit(tx, actor, {
      action: "user.role_change",
      targetType: "user",
      targetId: userId,
      before: { role: before.role },
      after: { role },
    });
    return toDto(after!);
  });
}

export async function setUserDisabled(
  actor: Actor,
  userId: string,
  disabled: boolean,
): Promise<UserDto> {
  if (disabled && actor.id === userId) {
    throw new AppError("conflict", "You cannot disable your own account.");
  }
  return db().transaction(async (tx) => {
    const before = await lockUser(tx, userId);
    if ((before.disabledAt !== null) === disabled) return toDto(before);
    if (disabled && before.role === "admin") await assertAnotherActiveAdmin(tx, userId);
    const [after] = await tx
      .update(u)
      .set({ disabledAt: disabled ? new Date() : null, updatedAt: new Date() })
      .where(eq(u.id, userId))
      .returning(userColumns);
    await recordAudit(tx, actor, {
      action: disabled ? "user.disable" : "user.enable",
      targetType: "user",
      targetId: userId,
      before: { disabled: before.disabledAt !== null },
      after: { disabled },
    });
    return toDto(after!);
  });
}

type Tx = Parameters<Parameters<ReturnType<typeof db>["transaction"]>[0]>[0];

async function lockUser(tx: Tx, userId: string) {
  const [row] = await tx.select(userColumns).from(u).where(eq(u.id, userId)).for("update");
  if (!row) throw new AppError("not_found", "No such user.");
  return row;
}

// Locks every active admin row so two concurrent demotions cannot each see the other as the
// remaining admin and leave the console with none.
async function assertAnotherActiveAdmin(tx: Tx, exceptId: string) {
  const others = await tx
    .select({ id: u.id })
    .from(u)
    .where(and(eq(u.role, "admin"), isNull(u.disabledAt), ne(u.id, exceptId)))
    .for("update");
  if (others.length === 0) {
    throw new AppError("conflict", "This is the last active admin; make someone else admin first.");
  }
}
