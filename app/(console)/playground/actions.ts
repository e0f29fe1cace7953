"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { startTestConversation, testMessageSchema } from "@/lib/dal/test-conversations";

export const startPlaygroundConversationAction = formAction(
  "playground:use",
  z.object({
    // Checked against the runtime's chains in startTestConversation.
    chain: z.string().trim().min(1, "Choose a chain.").max(100),
    message: testMessageSchema,
  }),
  async (input, actor) => {
    const { id } = await startTestConversation(actor, input.message, input.chain);
    redirect(`/playground?c=${id}`);
  },
);
