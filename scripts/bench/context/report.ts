import { lastTurns } from "@/lib/runtime";
import { supportChain } from "@/lib/agents/support-team";
import {
  compareWithFullContext,
  defaultEconomyOptions,
  type EconomyOptions,
  passRate,
  runVariant,
  teamPolicies,
  type VariantFigures,
  withoutRouting,
  withPolicy,
} from "./economy";

/**
 * `npm run bench -- --only context`: the context-economy section of docs/benchmarks.md. In
 * memory on the simulator (no database): deterministic for a seed, so the figures are the result.
 */
export async function runContextBench(options: EconomyOptions = defaultEconomyOptions): Promise<string> {
  const { full, team, savedShare } = await compareWithFullContext(options);
  const routed = await compareWithFullContext(options, true);
  const uniform: VariantFigures[] = [];
  for (const n of [1, 2, 4, 6]) {
    uniform.push(await runVariant(withPolicy(withoutRouting(supportChain), lastTurns(n)), `every agent last_turns(${n})`, options));
  }
  const perConversation = (v: VariantFigures) => Math.round(v.inputTokens / options.conversations);
  const share = (v: VariantFigures) => {
    const against = v.label.endsWith("routing on") ? routed.full : full;
    return v === against ? "—" : `${(100 * (1 - v.inputTokens / against.inputTokens)).toFixed(1)}%`;
  };
  const row = (v: VariantFigures) =>
    `| ${v.label} | ${perConversation(v).toLocaleString("en-US")} | ${share(v)} | ${Math.round(v.summarizerInputTokens / options.conversations).toLocaleString("en-US")} | ${(v.summarizerCalls / options.conversations).toFixed(1)} | ${passRate(v).toFixed(1)}% (${v.approved}/${v.reviews}) | ${v.answered}/${v.runs} |`;
  return `## Context economy (issue 12)

Produced by \`npm run bench -- --only context\`: the demo support team on the simulator (seed
${options.seed}), ${options.conversations} scripted conversations of ${options.turns} customer messages each, every
message one run whose input is the conversation so far. Each row runs the same conversations;
input tokens are the simulator's counts of everything sent (instructions and messages), the
summariser's calls included. A turn is one message of the conversation. The team's policies:
${teamPolicies()}. Model routing (a separate lever: one router call per specialist activation,
the same in every arm) is off except in the last two rows.

| context | input tokens per conversation | saved vs full | of which summariser | summariser calls per conversation | reviewer pass rate | answered runs |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${[full, team, ...uniform, routed.full, routed.team].map(row).join("\n")}

Result: the team's policies send **${(100 * savedShare).toFixed(1)}%** fewer input tokens per conversation
than the full context (${(100 * routed.savedShare).toFixed(1)}% with the router's calls in both arms); the reviewer's pass rate moves by ${Math.abs(passRate(team) - passRate(full)).toFixed(1)} points.
Caveat: the simulator's agents answer from the newest message only, so its pass rate cannot drop
when older turns are summarised; the quality figure shows the policies lose no reply, not that a
real model reads a summary as well as the turns. What a real model loses has to be measured with
one (e.g. replaying recorded conversations against a version with the policy).
`;
}

