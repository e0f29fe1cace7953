"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import {
  claimEscalation,
  customerReplySchema,
  decideToolCall,
  escalationIdSchema,
  handBackEscalation,
  noteSchema,
  releaseEscalation,
  replyToCustomer,
  resolveEscalation,
} from "@/lib/dal/escalation-actions";

// Thin wrappers (STYLE.md): formAction() authorizes and validates, the DAL does the work in one
// audited transaction and checks the claim.

const target = z.object({ id: escalationIdSchema });

function refresh(id: string) {
  revalidatePath("/inbox");
  revalidatePath(`/inbox/${id}`);
}

export const claimEscalationAction = formAction("inbox:write", target, async ({ id }, actor) => {
  const result = await claimEscalation(actor, id);
  refresh(id);
  return result;
});

export const releaseEscalationAction = formAction("inbox:write", target, async ({ id }, actor) => {
  await releaseEscalation(actor, id);
  refresh(id);
  return null;
});

export const replyToCustomerAction = formAction(
  "inbox:write",
  target.extend({ message: customerReplySchema }),
  async ({ id, message }, actor) => {
    await replyToCustomer(actor, id, message);
    refresh(id);
    return null;
  },
);

/** Approving a high-impact tool call is the leads' and admins' (approvals:write), not engineers'. */
export const decideRequestAction = formAction(
  "approvals:write",
  target.extend({
    interruptionId: z.string().regex(/^[A-Za-z0-9_:.-]{1,300}$/, "Unknown request."),
    decision: z.enum(["approve", "reject"]),
    note: z.union([noteSchema, z.literal("").transform(() => undefined)]).optional(),
  }),
  async ({ id, interruptionId, decision, note }, actor) => {
    const result = await decideToolCall(actor, {
      id,
      interruptionId,
      approved: decision === "approve",
      note,
    });
    refresh(id);
    return result;
  },
);

export const handBackEscalationAction = formAction(
  "inbox:write",
  target.extend({ note: noteSchema }),
  async ({ id, note }, actor) => {
    await handBackEscalation(actor, { id, note });
    refresh(id);
    return null;
  },
);

export const resolveEscalationAction = formAction("inbox:write", target, async ({ id }, actor) => {
  await resolveEscalation(actor, id);
  refresh(id);
  return null;
});
