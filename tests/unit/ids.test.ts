import { describe, expect, it } from "vitest";
import { newId, newTraceId } from "@/lib/ids";

describe("newId", () => {
  it("is prefixed, fixed-length and unique", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId("run")));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^run_[0-9a-z]{26}$/);
  });

  it("sorts by creation time", () => {
    const a = newId("x", 1_700_000_000_000);
    const b = newId("x", 1_700_000_000_001);
    const c = newId("x", 1_800_000_000_000);
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it("never hands out the same randomness twice, across refills of its pool", () => {
    // The same millisecond for all, so only the random part can tell them apart; 4,000 ids
    // draw 64 KB, sixteen refills of the 4 KB pool.
    const random = Array.from({ length: 4000 }, () => newId("x", 1_700_000_000_000).slice(12));
    expect(new Set(random).size).toBe(random.length);
    const counts = new Map<string, number>();
    for (const r of random) for (const ch of r) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 64,000 characters over the 32 of the alphabet: 2,000 each, give or take.
    expect(counts.size).toBe(32);
    for (const n of counts.values()) expect(n).toBeGreaterThan(1_700);
  });

  it("makes W3C trace ids from the same pool, interleaved with ids", () => {
    const traces = Array.from({ length: 600 }, () => (newId("x", 0), newTraceId()));
    expect(new Set(traces).size).toBe(traces.length);
    for (const t of traces) expect(t).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });
});
