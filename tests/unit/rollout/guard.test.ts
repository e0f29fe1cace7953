import { describe, expect, it } from "vitest";
import { type ArmStats, defaultGuardConfig, judgeRollout } from "@/lib/runtime/rollout";

const config = { ...defaultGuardConfig, minSample: 20, minEvalSample: 10 };
const arm = (over: Partial<ArmStats> = {}): ArmStats => ({
  runs: 40,
  failed: 1,
  escalated: 4,
  resolved: 35,
  costUsd: 0.35,
  evalCount: 30,
  evalScore: 0.85,
  ...over,
});

describe("rollout guard", () => {
  it("holds until the canary has its minimum sample, however bad it looks", () => {
    const verdict = judgeRollout(arm({ runs: 19, failed: 19 }), arm(), config);
    expect(verdict).toMatchObject({ action: "hold", reason: "canary has 19 of 20 runs" });
  });

  it("advances when every signal holds", () => {
    expect(judgeRollout(arm({ evalScore: 0.8 }), arm(), config).action).toBe("advance");
  });

  it.each([
    ["eval_score", { evalScore: 0.7 }],
    ["error_rate", { failed: 4 }],
    ["escalation_rate", { escalated: 9 }],
    ["cost_per_resolved", { costUsd: 0.5 }],
    ["breaker_trips", { breakerTrips: 2 }],
  ] as const)("rolls back when %s breaks, naming it with the numbers", (signal, over) => {
    const verdict = judgeRollout(arm(over), arm({ breakerTrips: 0 }), config);
    expect(verdict).toMatchObject({ action: "rollback", signal });
    const reading = verdict.readings.find((r) => r.signal === signal);
    expect(reading?.status).toBe("breaks");
    expect(reading?.canary).not.toBeNull();
    expect(reading?.limit).not.toBeNull();
  });

  it("skips breaker trips when no source provides them", () => {
    const verdict = judgeRollout(arm(), arm(), config);
    expect(verdict.readings.find((r) => r.signal === "breaker_trips")?.status).toBe("skipped");
  });

  it("does not advance without enough eval scores, but still rolls back on another signal", () => {
    expect(judgeRollout(arm({ evalCount: 3 }), arm(), config)).toMatchObject({ action: "hold" });
    expect(judgeRollout(arm({ evalCount: 3, failed: 10 }), arm(), config)).toMatchObject({
      action: "rollback",
      signal: "error_rate",
    });
  });
});
