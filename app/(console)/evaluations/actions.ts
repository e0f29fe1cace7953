"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { type ReplayFilter, replayFilters, startReplays } from "@/lib/dal/replays";

const filterNames = Object.keys(replayFilters) as [ReplayFilter, ...ReplayFilter[]];

/** Engineers replay recorded conversations against a candidate version (tools served from the recording). */
export const startReplayAction = formAction(
  "evaluations:write",
  z
    .object({
      version: z
        .string("Choose a version.")
        .regex(/^[a-z][a-z0-9_-]{0,62}@\d{1,6}$/, "Choose a version.")
        .transform((ref) => {
          const [agent, version] = ref.split("@") as [string, string];
          return { agent, candidateVersion: Number(version) };
        }),
      conversationId: z
        .string()
        .trim()
        .optional()
        .transform((v) => v || undefined)
        .pipe(z.string().regex(/^cnv_[0-9a-z]{26}$/, "A conversation id (cnv_…).").optional()),
      filter: z
        .string()
        .optional()
        .transform((v) => v || undefined)
        .pipe(z.enum(filterNames, "Choose a filter.").optional()),
      limit: z.coerce.number("Enter a number.").int().min(1, "At least 1.").max(50, "At most 50.").default(10),
    })
    .refine((v) => Boolean(v.conversationId) !== Boolean(v.filter), {
      message: "Give a conversation id or choose a filter (one of the two).",
      path: ["conversationId"],
    }),
  async ({ version, conversationId, filter, limit }, actor) => {
    const started = await startReplays(actor, { ...version, conversationId, filter, limit });
    revalidatePath("/evaluations");
    return started;
  },
);
