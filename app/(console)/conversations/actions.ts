"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formAction } from "@/lib/actions/action";
import { sendTestCustomerMessage, startTestConversation, testMessageSchema } from "@/lib/dal/test-conversations";

export const startTestConversationAction = formAction(
  "playground:use",
  z.object({ message: testMessageSchema }),
  async (input, actor) => {
    const { id } = await startTestConversation(actor, input.message);
    redirect(`/conversations/${id}`);
  },
);

export const sendTestMessageAction = formAction(
  "playground:use",
  z.object({ conversationId: z.string().regex(/^cnv_[0-9a-z]{26}$/, "Unknown conversation."), message: testMessageSchema }),
  async (input, actor) => {
    const result = await sendTestCustomerMessage(actor, input.conversationId, input.message);
    revalidatePath(`/conversations/${input.conversationId}`);
    return result;
  },
);
