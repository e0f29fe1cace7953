import { describe, expect, it } from "vitest";
import { guardReadingOf, prepareComparison } from "@/lib/rollouts/comparison";

const canary = { runs: 12, failed: 1, escalated: 0, resolved: 11, costUsd: 0.11, evalCount: 6, evalScore: 0.8, breakerTrips: 0 };
const stable = { runs: 40, failed: 2, escalated: 4, resolved: 34, costUsd: 0.3, evalCount: 9, evalScore: 0.85, breakerTrips: 0.05 };

describe("guardReadingOf", () => {
  it("reads the guard's stored verdict with both arms into the page's comparison", () => {
    const stored = { action: "hold", reason: "12 of 50 canary runs", readings: [], canary, stable, at: "2025-01-01T00:00:00.000Z" };
    expect(guardReadingOf(stored)).toEqual({
      action: "hold",
      reason: "12 of 50 canary runs",
      at: "2025-01-01T00:00:00.000Z",
      comparison: prepareComparison(canary, stable),
    });
  });

  it("keeps the verdict when the arms cannot be read, and reads nothing from no or malformed JSON", () => {
    expect(guardReadingOf({ action: "advance", readings: [], at: "2025-01-01T00:00:00.000Z", canary: { runs: "many" } })).toEqual({
      action: "advance",
      reason: null,
      at: "2025-01-01T00:00:00.000Z",
      comparison: null,
    });
    expect(guardReadingOf(null)).toBeNull();
    expect(guardReadingOf({ action: "explode", at: "2025-01-01T00:00:00.000Z" })).toBeNull();
    expect(guardReadingOf("hold")).toBeNull();
  });
});
