import { z } from "zod";
import { type AgentDefinition } from "./agent";
import { ConfigurationError } from "./errors";
import { type ToolRefusalReason } from "./events";
import { type ToolSpec } from "./model";
import { type ToolCall } from "./state";
import { formatIssues } from "./validation";

/** How much damage a wrong call can do; high-impact calls can be held for human approval. */
export type SideEffectClass = "read" | "write" | "high_impact";

/** What a tool gets besides its validated arguments. */
export interface ToolContext {
  /**
   * `${runId}:${step}:${callIndex}`. Pass it to the external system (Idempotency-Key header,
   * unique request id): if the process dies after the effect but before the ledger records it,
   * the call is repeated with the same key and only the external system can drop the duplicate.
   */
  readonly idempotencyKey: string;
  readonly runId: string;
  readonly agent: string;
  /** True when the ledger saw an earlier, unfinished attempt with this key. */
  readonly repeated: boolean;
  readonly signal?: AbortSignal;
}

/** A registered tool. `execute` may throw: the message is reported to the model as a tool error. */
export interface ToolDefinition<TArgs = unknown> {
  readonly name: string;
  readonly description: string;
  readonly argsSchema: z.ZodType<TArgs>;
  readonly sideEffect: SideEffectClass;
  /** Whether this call must wait for a human. Defaults to true for high-impact tools. */
  requiresApproval?(args: TArgs): boolean;
  // Method syntax on purpose: it keeps ToolDefinition<{…}> assignable to ToolDefinition<unknown>,
  // which the registry needs; arguments are always parsed with `argsSchema` before these run.
  execute(args: TArgs, context: ToolContext): Promise<unknown>;
}

const toolNamePattern = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Defines a tool. The generic keeps `execute` and `requiresApproval` typed by the schema.
 * @throws ConfigurationError on an invalid name or a name that collides with handoff tools.
 */
export function defineTool<TArgs>(tool: ToolDefinition<TArgs>): ToolDefinition<TArgs> {
  if (!toolNamePattern.test(tool.name) || tool.name.startsWith(handoffPrefix)) {
    throw new ConfigurationError(`tool name "${tool.name}" is invalid or reserved`);
  }
  return Object.freeze({ ...tool });
}

/** Handoffs are advertised to the model as tools named `transfer_to_<agent>`. */
const handoffPrefix = "transfer_to_";
export const handoffArgsSchema = z.object({ context: z.string().max(8000) });

export function handoffToolName(agent: string): string {
  return handoffPrefix + agent;
}

/** The target agent if `toolName` is a handoff tool, else undefined. */
export function handoffTarget(toolName: string): string | undefined {
  return toolName.startsWith(handoffPrefix) ? toolName.slice(handoffPrefix.length) : undefined;
}

/** Outcome of checking a proposed call against the allow-list and the argument schema. */
export type CallReview =
  | { ok: true; tool: ToolDefinition; args: unknown; needsApproval: boolean }
  | { ok: false; reason: ToolRefusalReason; detail: string };

/** The tools known to a runtime instance. */
export class ToolRegistry {
  private readonly tools = new Map<string, ToolDefinition>();

  constructor(tools: readonly ToolDefinition[] = []) {
    for (const tool of tools) {
      if (this.tools.has(tool.name))
        throw new ConfigurationError(`tool ${tool.name} registered twice`);
      this.tools.set(tool.name, tool);
    }
  }

  get(name: string): ToolDefinition | undefined {
    return this.tools.get(name);
  }

  /** @throws ConfigurationError when an agent's allow-list names an unregistered tool. */
  assertKnown(agent: AgentDefinition): void {
    const missing = agent.tools.filter((name) => !this.tools.has(name));
    if (missing.length > 0) {
      throw new ConfigurationError(
        `agent ${agent.name}@${agent.version} allows unknown tools: ${missing.join(", ")}`,
      );
    }
  }

  /** What the model is told it may call: the allow-list plus one tool per handoff target. */
  specsFor(agent: AgentDefinition): ToolSpec[] {
    const specs: ToolSpec[] = agent.tools.flatMap((name) => {
      const tool = this.tools.get(name);
      return tool ? [{ name, description: tool.description, parameters: tool.argsSchema }] : [];
    });
    for (const target of agent.handoffs) {
      specs.push({
        name: handoffToolName(target),
        description: `Hand the conversation to the ${target} agent, with the context it needs.`,
        parameters: handoffArgsSchema,
      });
    }
    return specs;
  }

  /**
   * Checks a model-proposed call. Unregistered (hallucinated) tools, tools off the agent's
   * allow-list and arguments failing the schema are refused; the caller records the refusal.
   */
  review(agent: AgentDefinition, call: ToolCall): CallReview {
    const tool = this.tools.get(call.name);
    if (!tool) return { ok: false, reason: "unknown_tool", detail: `no tool named ${call.name}` };
    if (!agent.tools.includes(call.name)) {
      return {
        ok: false,
        reason: "not_allowed",
        detail: `${call.name} is not on ${agent.name}'s allow-list`,
      };
    }
    const parsed = tool.argsSchema.safeParse(call.args);
    if (!parsed.success) {
      return {
        ok: false,
        reason: "invalid_arguments",
        detail: formatIssues(parsed.error).join("; "),
      };
    }
    const needsApproval = tool.requiresApproval
      ? tool.requiresApproval(parsed.data)
      : tool.sideEffect === "high_impact";
    return { ok: true, tool, args: parsed.data, needsApproval };
  }
}
