"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { agentVersionInputSchema, createAgentVersion, updateAgentVersion } from "@/lib/dal/agent-versions";

// Tools arrive as one checkbox per tool (`tool.refund=on`); limits as optional number fields.
const optionalWhole = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n)) {
      ctx.addIssue({ code: "custom", message: "Enter a whole number." });
      return z.NEVER;
    }
    return n;
  });

function versionForm<T extends z.ZodRawShape>(extra: T) {
  return z.preprocess(
    (raw) => {
      const form = raw as Record<string, string>;
      return {
        ...form,
        tools: Object.keys(form)
          .filter((key) => key.startsWith("tool.") && form[key] === "on")
          .map((key) => key.slice(5)),
        limits: { maxTurns: form.maxTurns, maxToolCallsPerTurn: form.maxToolCallsPerTurn },
      };
    },
    z.object({
      ...extra,
      instructions: agentVersionInputSchema.shape.instructions,
      modelTier: agentVersionInputSchema.shape.modelTier,
      tools: agentVersionInputSchema.shape.tools,
      note: agentVersionInputSchema.shape.note,
      limits: z
        .object({ maxTurns: optionalWhole, maxToolCallsPerTurn: optionalWhole })
        .transform((l, ctx) => {
          const parsed = agentVersionInputSchema.shape.limits.safeParse(l);
          if (parsed.success) return parsed.data;
          for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
          return z.NEVER;
        }),
    }),
  );
}

/** Engineers create a draft version of an agent; it runs only once a rollout or replay uses it. */
export const createAgentVersionAction = formAction(
  "agents:write",
  versionForm({ agent: agentVersionInputSchema.shape.agent }),
  async (input, actor) => {
    const created = await createAgentVersion(actor, input);
    revalidatePath("/agents");
    revalidatePath("/rollouts");
    return { id: created.id, agent: created.agent, version: created.version };
  },
);

/** Edits a draft that nothing has used yet. */
export const updateAgentVersionAction = formAction(
  "agents:write",
  versionForm({ versionId: z.string().regex(/^agv_[0-9a-z]{26}$/, "Unknown version.") }),
  async ({ versionId, ...input }, actor) => {
    const updated = await updateAgentVersion(actor, versionId, input);
    revalidatePath("/agents");
    revalidatePath("/rollouts");
    return { id: updated.id, version: updated.version };
  },
);
