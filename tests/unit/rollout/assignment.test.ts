import { describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";
import { assignArm, assignConversation, inSample, rolloutBucket } from "@/lib/runtime/rollout";

const ids = Array.from({ length: 10_000 }, () => newId("cnv"));

describe("sticky canary assignment", () => {
  it.each([1, 5, 10, 25, 50, 90])("puts %i%% of 10,000 conversation ids on the canary, ±1.5 points", (percent) => {
    const canary = ids.filter((id) => assignArm(id, "rol_a", percent) === "canary").length;
    expect(Math.abs((canary / ids.length) * 100 - percent)).toBeLessThanOrEqual(1.5);
  });

  it("gives every id the same bucket every time, and nests stages (canary at 10% stays canary at 50%)", () => {
    for (const id of ids.slice(0, 2_000)) {
      expect(rolloutBucket(id, "rol_a")).toBe(rolloutBucket(id, "rol_a"));
      if (assignArm(id, "rol_a", 10) === "canary") expect(assignArm(id, "rol_a", 50)).toBe("canary");
    }
  });

  it("reshuffles the population for another rollout", () => {
    const a = ids.filter((id) => assignArm(id, "rol_a", 50) === "canary");
    const both = a.filter((id) => assignArm(id, "rol_b", 50) === "canary").length;
    // Independent halves overlap on about a quarter of all ids.
    expect(both / ids.length).toBeGreaterThan(0.22);
    expect(both / ids.length).toBeLessThan(0.28);
  });

  it("assigns the versions of every active rollout; a paused one sends new conversations to stable", () => {
    const rollouts = [
      { id: "rol_x", agent: "billing", stableVersion: 1, canaryVersion: 2, percent: 100, paused: false },
      { id: "rol_y", agent: "technical", stableVersion: 1, canaryVersion: 3, percent: 100, paused: true },
    ];
    expect(assignConversation("cnv_1", rollouts)).toEqual({
      versions: { billing: 2, technical: 1 },
      arms: { rol_x: "canary", rol_y: "stable" },
    });
  });

  it("samples a deterministic share of ids", () => {
    const picked = ids.filter((id) => inSample(id, "eval", 0.05)).length;
    expect(Math.abs(picked / ids.length - 0.05)).toBeLessThan(0.01);
    expect(ids.filter((id) => inSample(id, "eval", 1)).length).toBe(ids.length);
    expect(ids.filter((id) => inSample(id, "eval", 0)).length).toBe(0);
  });
});
