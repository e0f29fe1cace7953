"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { roles } from "@/lib/auth/permissions";
import { createApiKey, revokeApiKey } from "@/lib/dal/api-keys";
import { changeUserRole, inviteUser, setUserDisabled } from "@/lib/dal/users";

const userId = z.string().regex(/^usr_[0-9a-z]{26}$/, "Unknown user.");

export const inviteUserAction = formAction(
  "users:write",
  z.object({
    email: z
      .email("Enter a valid email address.")
      .max(254)
      .transform((e) => e.trim().toLowerCase()),
    name: z.string().trim().min(1, "Enter a name.").max(100, "At most 100 characters."),
    role: z.enum(roles, "Choose a role."),
  }),
  async (input, actor) => {
    const { user, temporaryPassword } = await inviteUser(actor, input);
    revalidatePath("/settings");
    return { email: user.email, temporaryPassword };
  },
);

export const changeUserRoleAction = formAction(
  "users:write",
  z.object({ userId, role: z.enum(roles, "Choose a role.") }),
  async (input, actor) => {
    const user = await changeUserRole(actor, input.userId, input.role);
    revalidatePath("/settings");
    return { id: user.id, role: user.role };
  },
);

export const setUserDisabledAction = formAction(
  "users:write",
  z.object({ userId, disabled: z.enum(["true", "false"]).transform((v) => v === "true") }),
  async (input, actor) => {
    const user = await setUserDisabled(actor, input.userId, input.disabled);
    revalidatePath("/settings");
    return { id: user.id, disabled: user.disabled };
  },
);

export const createApiKeyAction = formAction(
  "api_keys:write",
  z.object({ name: z.string().trim().min(1, "Enter a name.").max(100, "At most 100 characters.") }),
  async (input, actor) => {
    const { apiKey, plaintext } = await createApiKey(actor, input);
    revalidatePath("/settings");
    // The only time the key leaves the server; it is stored as a hash and never shown again.
    return { id: apiKey.id, name: apiKey.name, key: plaintext };
  },
);

export const revokeApiKeyAction = formAction(
  "api_keys:write",
  z.object({ apiKeyId: z.string().regex(/^key_[0-9a-z]{26}$/, "Unknown API key.") }),
  async (input, actor) => {
    const apiKey = await revokeApiKey(actor, input.apiKeyId);
    revalidatePath("/settings");
    return { id: apiKey.id, revoked: apiKey.revokedAt !== null };
  },
);
