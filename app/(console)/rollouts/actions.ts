"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { changeRollout, startRollout } from "@/lib/dal/rollouts";
import { rolloutCommands, stagesProblem } from "@/lib/runtime/rollout";

const rolloutId = z.string().regex(/^rol_[0-9a-z]{26}$/, "Unknown rollout.");

/** "billing@2" from the version picker. */
const versionRef = z
  .string("Choose a version.")
  .regex(/^[a-z][a-z0-9_-]{0,62}@\d{1,6}$/, "Choose a version.")
  .transform((ref) => {
    const [agent, version] = ref.split("@") as [string, string];
    return { agent, canaryVersion: Number(version) };
  });

const stages = z
  .string("Enter the stages.")
  .trim()
  .transform((text, ctx) => {
    const list = text.split(/[\s,→>-]+/).filter(Boolean).map(Number);
    const problem = stagesProblem(list);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    return list;
  });

/** Admins start a canary: traffic split by stages (e.g. 10, 50, 100), judged by the guard. */
export const startRolloutAction = formAction(
  "rollouts:write",
  z.object({
    version: versionRef,
    stages,
    minSample: z.coerce.number("Enter a number.").int("A whole number.").min(5, "At least 5.").max(100_000),
  }),
  async ({ version, stages: list, minSample }, actor) => {
    const id = await startRollout(actor, { ...version, stages: list, minSample });
    revalidatePath("/rollouts");
    return { id };
  },
);

/** Pause, resume, advance, promote or roll back a rollout. */
export const changeRolloutAction = formAction(
  "rollouts:write",
  z.object({ rolloutId, command: z.enum(rolloutCommands, "Unknown command.") }),
  async ({ rolloutId: id, command }, actor) => {
    const status = await changeRollout(actor, id, command);
    revalidatePath("/rollouts");
    return { id, status };
  },
);
