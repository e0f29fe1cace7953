/**
 * Budget scopes as stored in `budgets.scope`. Conversation scopes limit one conversation's
 * spend; daily scopes limit a UTC day's spend across every process.
 */
export const DEFAULT_CONVERSATION_SCOPE = "conversation:default";
export const GLOBAL_DAILY_SCOPE = "daily:global";

export const chainBudgetScope = (chain: string) => `conversation:chain:${chain}`;
export const agentDailyScope = (agent: string) => `daily:agent:${agent}`;
export const apiKeyDailyScope = (apiKeyId: string) => `daily:api_key:${apiKeyId}`;

export type ScopeKind = "conversation_default" | "conversation_chain" | "daily_global" | "daily_agent" | "daily_api_key";

/** What a scope string means, or null for one this version does not know. */
export function parseScope(scope: string): { kind: ScopeKind; target: string | null } | null {
  if (scope === DEFAULT_CONVERSATION_SCOPE) return { kind: "conversation_default", target: null };
  if (scope === GLOBAL_DAILY_SCOPE) return { kind: "daily_global", target: null };
  const match = /^(conversation:chain|daily:agent|daily:api_key):(.+)$/.exec(scope);
  if (!match) return null;
  const kinds = { "conversation:chain": "conversation_chain", "daily:agent": "daily_agent", "daily:api_key": "daily_api_key" } as const;
  return { kind: kinds[match[1] as keyof typeof kinds], target: match[2]! };
}

/** How a scope reads in the console; API keys are named by their name when it is known. */
export function describeScope(scope: string, apiKeyNames: Readonly<Record<string, string>> = {}): string {
  const parsed = parseScope(scope);
  if (!parsed) return scope;
  switch (parsed.kind) {
    case "conversation_default":
      return "Each conversation (default)";
    case "conversation_chain":
      return `Each ${parsed.target} conversation`;
    case "daily_global":
      return "All spend per day";
    case "daily_agent":
      return `Agent ${parsed.target} per day`;
    case "daily_api_key":
      return `API key ${apiKeyNames[parsed.target!] ?? parsed.target} per day`;
  }
}
