import { type Chain, defineTool, type ToolDefinition, type ToolOutcome, ToolRegistry } from "@/lib/runtime";

/** A tool call as the original run's ledger recorded it. */
export interface RecordedCall {
  tool: string;
  input: unknown;
  result: ToolOutcome;
}

/**
 * A tool registry for replays: the same tools (names, schemas, descriptions) as the live one, but
 * every call is answered from the original run's recording and the real tool is never called, so
 * a replay cannot refund, email or write anything. A call the original never made gets a tool
 * error, which the candidate then has to cope with, and is counted as unrecorded.
 */
export class RecordedTools {
  private readonly unused: RecordedCall[];
  readonly served: { tool: string; recorded: boolean }[] = [];
  readonly registry: ToolRegistry;

  constructor(live: ToolRegistry, chains: readonly Chain[], recording: readonly RecordedCall[]) {
    this.unused = [...recording];
    const names = new Set(chains.flatMap((c) => c.agents.flatMap((a) => a.tools)));
    const tools = [...names].flatMap((name) => {
      const tool = live.get(name);
      return tool ? [this.replica(tool)] : [];
    });
    this.registry = new ToolRegistry(tools);
  }

  private replica(tool: ToolDefinition): ToolDefinition {
    return defineTool({
      name: tool.name,
      description: tool.description,
      argsSchema: tool.argsSchema,
      sideEffect: tool.sideEffect,
      // Nothing can happen, so nothing waits for a person.
      requiresApproval: () => false,
      execute: (args) => this.answer(tool.name, args),
    });
  }

  private answer(tool: string, args: unknown): Promise<unknown> {
    const key = canonical(args);
    // The same call with the same arguments first; else the next recorded call of that tool.
    const exact = this.unused.findIndex((c) => c.tool === tool && canonical(c.input) === key);
    const index = exact >= 0 ? exact : this.unused.findIndex((c) => c.tool === tool);
    const call = index >= 0 ? this.unused.splice(index, 1)[0] : undefined;
    this.served.push({ tool, recorded: call !== undefined });
    if (!call) return Promise.reject(new Error(`replay: the original run made no ${tool} call to answer this from`));
    if (!call.result.ok) return Promise.reject(new Error(call.result.error));
    return Promise.resolve(call.result.output);
  }
}

/** JSON with sorted keys: jsonb does not keep the order the arguments were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
