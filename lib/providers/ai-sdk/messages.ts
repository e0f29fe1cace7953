import {
  type AssistantContent,
  jsonSchema,
  type JSONSchema7,
  type ModelMessage,
  type Schema,
  tool,
  type ToolSet,
  zodSchema,
} from "ai";
import { type z } from "zod";
import type { Message, ToolCall, ToolSpec } from "@/lib/runtime";

/**
 * Runtime history → AI SDK messages. There is no system message here on purpose: the system
 * prompt is built from the agent's (trusted) instructions only, and customer text and tool
 * output travel as user and tool messages. Consecutive tool results are merged into one tool
 * message so providers that want all results of a turn together (Anthropic) get them together.
 */
export function toModelMessages(messages: readonly Message[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "user":
        out.push({ role: "user", content: message.content });
        break;
      case "assistant": {
        const content: Exclude<AssistantContent, string> = [];
        if (message.content) content.push({ type: "text", text: message.content });
        for (const call of message.toolCalls ?? []) {
          content.push({
            type: "tool-call",
            toolCallId: call.id,
            toolName: call.name,
            input: call.args ?? {},
          });
        }
        if (content.length > 0) out.push({ role: "assistant", content });
        break;
      }
      case "tool": {
        const part = {
          type: "tool-result" as const,
          toolCallId: message.callId,
          toolName: message.name,
          output: { type: "text" as const, value: message.content },
        };
        const last = out.at(-1);
        if (last?.role === "tool") last.content.push(part);
        else out.push({ role: "tool", content: [part] });
        break;
      }
    }
  }
  return out;
}

/**
 * Advertises the runtime's tools WITHOUT `execute`: the AI SDK then returns the calls instead of
 * running them, and the runtime checks, records and executes them itself (allow-list, approval,
 * idempotency ledger). The zod schema becomes the JSON Schema the model sees.
 */
export function toToolSet(specs: readonly ToolSpec[]): ToolSet {
  const tools: ToolSet = {};
  for (const spec of specs) {
    tools[spec.name] = tool({ description: spec.description, inputSchema: spec.parameters });
  }
  return tools;
}

/** The AI SDK's tool calls → the runtime's. Invalid calls keep their raw input for the refusal. */
export function toToolCalls(
  calls: ReadonlyArray<{ toolCallId: string; toolName: string; input: unknown }>,
): ToolCall[] {
  return calls.map((call) => ({ id: call.toolCallId, name: call.toolName, args: call.input }));
}

/** The agent's output schema as JSON Schema (the input side: what `parse` accepts). */
export function outputJsonSchema(schema: z.ZodType): JSONSchema7 | PromiseLike<JSONSchema7> {
  return zodSchema(schema).jsonSchema;
}

/**
 * A schema for `Output.object` that only shapes the request: no validation here, because the
 * runtime validates every answer with the agent's zod schema and owns the corrective retry.
 */
export function unvalidatedSchema(schema: z.ZodType): Schema<unknown> {
  return jsonSchema(() => outputJsonSchema(schema));
}

/**
 * The system prompt: the agent's instructions, plus (in `prompt` mode) the answer format derived
 * from the agent's own schema. Both are authored by the team, never by a customer or a tool.
 */
export async function systemPrompt(
  instructions: string,
  formatSchema: z.ZodType | undefined,
): Promise<string> {
  if (!formatSchema) return instructions;
  const schema = JSON.stringify(await outputJsonSchema(formatSchema));
  return [
    instructions,
    "",
    "When you give your final answer instead of calling a tool, reply with only a JSON value, without prose or code fences, that matches this JSON Schema:",
    schema,
  ].join("\n");
}

/** Parses a JSON answer, tolerating one surrounding markdown code fence. */
export function parseJsonAnswer(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  const body = fenced?.[1] ?? text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : "unparsable" };
  }
}
