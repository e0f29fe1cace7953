"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { breakerKeySchema, commandBreaker } from "@/lib/dal/breakers";

const breakerFormSchema = z.object({ key: breakerKeySchema });

/** Trips a breaker by hand: it stays open, without probes, until someone resets it. */
export const forceOpenBreakerAction = formAction(
  "breakers:write",
  breakerFormSchema,
  async (input, actor) => {
    const result = await commandBreaker(actor, input.key, "force_open");
    revalidatePath("/breakers");
    return result;
  },
);

/** Closes a breaker and clears its counts. */
export const resetBreakerAction = formAction(
  "breakers:write",
  breakerFormSchema,
  async (input, actor) => {
    const result = await commandBreaker(actor, input.key, "reset");
    revalidatePath("/breakers");
    return result;
  },
);
