import { describe, expect, it } from "vitest";
import { compareWithFullContext, defaultEconomyOptions, passRate } from "@/scripts/bench/context/economy";

/**
 * Issue 12, acceptance 3: on the demo support team, ten-message conversations on the simulator
 * (fixed seed) send at least 40% fewer input tokens with the team's summary-plus-last-turns
 * policies than with the full context, and the quality reviewer's pass rate stays within 2
 * points. `npm run bench -- --only context` writes the same figures to docs/benchmarks.md.
 */
describe("context economy on the demo support team", () => {
  it("cuts input tokens per 10-turn conversation by at least 40% at the same reviewer pass rate", async () => {
    const { full, team, savedShare } = await compareWithFullContext(defaultEconomyOptions);

    expect(defaultEconomyOptions.turns).toBe(10);
    expect(team.runs).toBe(full.runs);
    // The policy really ran: summaries were made and calls recorded what they left out.
    expect(team.summarizerCalls).toBeGreaterThan(0);
    expect(team.savedTokens).toBeGreaterThan(0);
    expect(full.summarizerCalls).toBe(0);
    // The summariser's own input is counted against the savings.
    expect(team.inputTokens).toBeGreaterThan(team.summarizerInputTokens);
    expect(savedShare).toBeGreaterThanOrEqual(0.4);
    expect(full.reviews).toBeGreaterThan(0);
    expect(Math.abs(passRate(team) - passRate(full))).toBeLessThanOrEqual(2);
    expect(team.answered).toBeGreaterThanOrEqual(full.answered);
  });
});
