import { supportChain, supportTools } from "@/lib/agents/support-team";
import { formatTranscript, type TranscriptLine } from "@/lib/agents/transcript";
import { SimulatorModel } from "@/lib/providers/simulator";
import { type Chain, type ContextPolicy, describePolicy, fullContext, RunLoop, type RunState, ToolRegistry } from "@/lib/runtime";
import { MemoryRunStore, MemoryToolLedger, sequentialIds } from "@/lib/runtime/testing";

/**
 * Context economy on the demo support team (issue 12, acceptance 3): the same scripted
 * conversations of ten customer messages run with every agent on the full context and with the
 * team's own context policies (the last turns verbatim plus the rolling summary), on the
 * simulator with a fixed seed. Input tokens are what the simulator counted for every call, the
 * summariser's included; the pass rate is the share of replies the quality reviewer approved.
 * Model routing, a separate lever, is off in both arms unless asked for: its calls would be the
 * same in both and only blur what the context policy changes.
 */

/** Messages a customer may send; each conversation walks the pool in its own seeded order. */
const messagePool = [
  "Hi, I was charged twice for order ORD-4821. Could you refund the duplicate $49 please?",
  "Where can I download last month's invoice for our accounting?",
  "I forgot my password and now I can't log in to my account.",
  "My sync failed with an error on my laptop this morning.",
  "How do I install the desktop app on Windows 11?",
  "Our API integration keeps getting 429 responses since yesterday.",
  "What are your support hours on weekends?",
  "We're a small nonprofit. Is there any discount you could give us?",
  "Can you check the status of order ORD-5512 for me?",
  "Thanks. And how is the yearly plan billed, monthly or upfront?",
  "The app crashes when I open the settings page, what should I do?",
  "One more thing: is the invoice sent by email as well?",
  "Is your office open on public holidays?",
  "I still can't log in after resetting the password, the login page shows an error.",
];

export interface EconomyOptions {
  readonly seed: number;
  readonly conversations: number;
  /** Customer messages per conversation (each one run). */
  readonly turns: number;
}

export const defaultEconomyOptions: EconomyOptions = { seed: 12, conversations: 8, turns: 10 };

export interface VariantFigures {
  readonly label: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens of the summariser's calls (part of `inputTokens`). */
  readonly summarizerInputTokens: number;
  readonly summarizerCalls: number;
  /** Input tokens the agents' calls left out, as recorded on their llm_call events. */
  readonly savedTokens: number;
  readonly reviews: number;
  readonly approved: number;
  readonly answered: number;
  readonly runs: number;
}

/** The chain with every agent on `policy` (agents are plain values; the chain's hooks use names). */
export function withPolicy(chain: Chain, policy: ContextPolicy): Chain {
  return { ...chain, agents: chain.agents.map((agent) => ({ ...agent, context: policy })) };
}

/** The chain with no agent routed (every activation on the agent's own tier). */
export function withoutRouting(chain: Chain): Chain {
  return { ...chain, agents: chain.agents.map(({ routing: _routing, ...agent }) => agent) };
}

/** The demo team's context policies against the same team on the full context. */
export async function compareWithFullContext(options: EconomyOptions = defaultEconomyOptions, routing = false) {
  const base = routing ? supportChain : withoutRouting(supportChain);
  const suffix = routing ? ", model routing on" : "";
  const full = await runVariant(withPolicy(base, fullContext()), `full context${suffix}`, options);
  const team = await runVariant(base, `support team's policies${suffix}`, options);
  return { full, team, savedShare: 1 - team.inputTokens / full.inputTokens };
}

export function passRate(v: VariantFigures): number {
  return v.reviews === 0 ? 0 : (100 * v.approved) / v.reviews;
}

export function teamPolicies(): string {
  return supportChain.agents.map((a) => `${a.name} ${describePolicy(a.context ?? fullContext())}`).join(", ");
}

/** The customer messages of conversation `index`: a seeded walk over the pool. */
export function conversationScript(seed: number, index: number, turns: number): string[] {
  const step = [3, 5, 9, 11][index % 4]!;
  return Array.from({ length: turns }, (_, t) => messagePool[(seed + index * 7 + t * step) % messagePool.length]!);
}

/** Runs every scripted conversation on `chain`, carrying each run's summary into the next turn. */
export async function runVariant(chain: Chain, label: string, options: EconomyOptions): Promise<VariantFigures> {
  const store = new MemoryRunStore();
  const loop = new RunLoop({
    chains: [chain],
    model: new SimulatorModel({ seed: options.seed }),
    store,
    ledger: new MemoryToolLedger(),
    tools: new ToolRegistry(supportTools),
    ids: sequentialIds(),
  });
  const f = { label, inputTokens: 0, outputTokens: 0, summarizerInputTokens: 0, summarizerCalls: 0, savedTokens: 0, reviews: 0, approved: 0, answered: 0, runs: 0 };
  for (let c = 0; c < options.conversations; c++) {
    const lines: TranscriptLine[] = [];
    let summary: NonNullable<RunState["context"]>["summary"];
    for (const message of conversationScript(options.seed, c, options.turns)) {
      lines.push({ role: "customer", author: null, content: message });
      const state = await loop.start(chain.name, formatTranscript(lines), { contextSummary: summary });
      summary = state.context?.summary ?? summary;
      f.runs += 1;
      f.inputTokens += state.usage.inputTokens;
      f.outputTokens += state.usage.outputTokens;
      for (const event of store.events(state.runId)) {
        if (event.type !== "llm_call") continue;
        f.savedTokens += event.context?.savedTokens ?? 0;
        if (event.agent === "summarizer") {
          f.summarizerCalls += 1;
          f.summarizerInputTokens += event.usage.inputTokens;
        }
      }
      for (const thread of state.threads) {
        if (thread.agent !== "reviewer" || thread.output === undefined) continue;
        f.reviews += 1;
        if ((thread.output as { approved?: unknown }).approved === true) f.approved += 1;
      }
      if (state.status === "completed") f.answered += 1;
      lines.push(replyLine(state));
    }
  }
  return f;
}

/** What the customer saw: the approved reply, or the hand-over note when the run escalated. */
function replyLine(state: RunState): TranscriptLine {
  const output = state.output as { reply?: unknown } | undefined;
  if (state.status === "completed" && typeof output?.reply === "string") {
    return { role: "agent", author: state.lastOutput?.agent ?? "agent", content: output.reply };
  }
  return { role: "human", author: null, content: "A member of our support team will follow up on this." };
}
