import { describe, expect, it } from "vitest";
import { assignArm, assignConversation, inSample, rolloutBucket } from "@/lib/runtime/rollout";

// Ids shaped like ours (prefix + 26 base32 characters) from a seeded generator: the same 10,000
// every run, so the ±1.5-point bound is checked reproducibly instead of failing by chance (at 50%
// it is three standard deviations of a random sample).
function seededIds(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  return Array.from({ length: count }, () =>
    `cnv_${Array.from({ length: 26 }, () => alphabet[Math.floor(next() * 32)]).join("")}`,
  );
}

const ids = seededIds(10_000, 20261121);

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
