import { describe, expect, it } from "vitest";
import { canaryPercent, nextRollout, type RolloutStageState, stagesProblem } from "@/lib/runtime/rollout";

const at = (stageIndex: number, status: RolloutStageState["status"] = "running"): RolloutStageState => ({
  status,
  stages: [10, 50, 100],
  stageIndex,
});

describe("rollout stage machine", () => {
  it.each([
    [at(0), "advance", { status: "running", stageIndex: 1 }, 50],
    [at(2), "advance", { status: "promoted", stageIndex: 2 }, 100],
    [at(0), "pause", { status: "paused", stageIndex: 0 }, 10],
    [at(0, "paused"), "resume", { status: "running", stageIndex: 0 }, 10],
    [at(0, "paused"), "rollback", { status: "rolled_back", stageIndex: 0 }, 0],
    [at(1), "promote", { status: "promoted", stageIndex: 2 }, 100],
    [at(1), "rollback", { status: "rolled_back", stageIndex: 1 }, 0],
  ] as const)("%o + %s", (state, command, expected, percent) => {
    const next = nextRollout(state, command);
    expect(next).toMatchObject({ ok: true, state: expected });
    if (next.ok) expect(canaryPercent(next.state)).toBe(percent);
  });

  it.each([
    [at(0, "paused"), "advance"],
    [at(0, "paused"), "pause"],
    [at(0), "resume"],
    [at(0, "promoted"), "rollback"],
    [at(0, "rolled_back"), "resume"],
  ] as const)("refuses %o + %s", (state, command) => {
    expect(nextRollout(state, command).ok).toBe(false);
  });

  it.each([
    [[10, 50, 100], null],
    [[100], null],
    [[], "Between 1 and 10 stages."],
    [[50, 10, 100], "Stages must increase."],
    [[10, 50], "The last stage is 100%."],
    [[0, 100], "Each stage is a whole percentage from 1 to 100."],
    [[10.5, 100], "Each stage is a whole percentage from 1 to 100."],
  ])("stages %o: %s", (stages, problem) => {
    expect(stagesProblem(stages)).toBe(problem);
  });
});
