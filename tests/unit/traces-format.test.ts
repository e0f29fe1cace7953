import { describe, expect, it } from "vitest";
import { formatAttribute, formatCost, formatCount, formatDuration } from "@/app/(console)/traces/_components/format";
import { prettyJson } from "@/lib/format";

describe("trace formats", () => {
  it("formats durations at a readable precision, and a missing one as a dash", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(0.4)).toBe("<1 ms");
    expect(formatDuration(849.6)).toBe("850 ms");
    expect(formatDuration(1250)).toBe("1.25 s");
    expect(formatDuration(2000)).toBe("2 s");
    expect(formatDuration(12_340)).toBe("12.3 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(2 * 3600_000 + 60_000)).toBe("2 h 1 min");
  });

  it("shows an attribute as recorded, without a fraction's binary rounding noise or an exponent", () => {
    expect(formatAttribute(0.000041700000000000004)).toBe("0.0000417");
    expect(formatAttribute(0.1 + 0.2)).toBe("0.3");
    expect(formatAttribute(1.5e-9)).toBe("0.0000000015");
    expect(formatAttribute(-0.25)).toBe("-0.25");
    expect(formatAttribute(663)).toBe("663");
    expect(formatAttribute(12_345_678_901)).toBe("12345678901");
    expect(formatAttribute(true)).toBe("true");
    expect(formatAttribute("last_turns(1)")).toBe("last_turns(1)");
  });

  it("formats costs without scientific notation", () => {
    expect(formatCost(undefined)).toBe("—");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.000123)).toBe("$0.000123");
    expect(formatCost(0.0000001)).toBe("<$0.000001");
    expect(formatCost(0.01234)).toBe("$0.0123");
    expect(formatCost(1.5)).toBe("$1.50");
  });

  it("formats counts and JSON safely", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(null)).toBe("—");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(prettyJson(cyclic)).toBe("[object Object]");
    expect(prettyJson({ a: "<script>" })).toBe('{\n  "a": "<script>"\n}');
  });
});
