import { describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";

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
});
