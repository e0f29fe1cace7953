import { describe, expect, it } from "vitest";
import {
  assertBoundedRange,
  bucketFor,
  bucketStarts,
  DAY_MS,
  HOUR_MS,
  rangePresetSchema,
  resolveRange,
} from "@/lib/metrics/range";

const now = Date.UTC(2031, 0, 6, 14, 25);

describe("time ranges", () => {
  it("reads the preset from the URL, falling back to 24h on anything else", () => {
    expect(rangePresetSchema.parse("7d")).toBe("7d");
    expect(rangePresetSchema.parse("1y")).toBe("24h");
    expect(rangePresetSchema.parse(undefined)).toBe("24h");
    expect(rangePresetSchema.parse(["1h", "7d"])).toBe("24h");
  });

  it("ends the window now and buckets by hour up to 48 h, by day beyond", () => {
    expect(resolveRange("1h", now)).toEqual({ from: now - HOUR_MS, to: now });
    expect(bucketFor(resolveRange("24h", now))).toBe("hour");
    expect(bucketFor({ from: now - 48 * HOUR_MS, to: now })).toBe("hour");
    expect(bucketFor({ from: now - 48 * HOUR_MS - 1, to: now })).toBe("day");
    expect(bucketFor(resolveRange("30d", now))).toBe("day");
  });

  it("lists every UTC-aligned bucket overlapping [from, to)", () => {
    const starts = bucketStarts(resolveRange("1h", now), "hour");
    expect(starts).toEqual([Date.UTC(2031, 0, 6, 13), Date.UTC(2031, 0, 6, 14)]);
    expect(bucketStarts(resolveRange("24h", now), "hour")).toHaveLength(25);
    expect(bucketStarts({ from: Date.UTC(2031, 0, 6), to: Date.UTC(2031, 0, 8) }, "day")).toEqual([Date.UTC(2031, 0, 6), Date.UTC(2031, 0, 7)]);
    expect(bucketStarts(resolveRange("30d", now), "day")).toHaveLength(31);
  });

  it("refuses empty, inverted and unbounded windows", () => {
    expect(() => assertBoundedRange({ from: now, to: now })).toThrow(RangeError);
    expect(() => assertBoundedRange({ from: now, to: now - 1 })).toThrow(RangeError);
    expect(() => assertBoundedRange({ from: now - 32 * DAY_MS, to: now })).toThrow(RangeError);
    expect(() => assertBoundedRange(resolveRange("30d", now))).not.toThrow();
  });
});
