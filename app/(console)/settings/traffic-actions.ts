"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { setTrafficEnabled } from "@/lib/dal/traffic-settings";

export const setDemoTrafficAction = formAction(
  "simulator:write",
  z.object({
    enabled: z.enum(["true", "false"], "Choose on or off.").transform((v) => v === "true"),
  }),
  async (input, actor) => {
    const result = await setTrafficEnabled(actor, input.enabled);
    revalidatePath("/settings");
    return result;
  },
);
