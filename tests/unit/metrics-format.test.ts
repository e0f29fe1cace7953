import { describe, expect, it } from "vitest";
import {
  formatBucketTick,
  formatBucketTitle,
  formatCount,
  formatMs,
  formatPercent,
  formatTokens,
  formatUsd,
  formatValue,
  NO_DATA,
} from "@/lib/metrics/format";

describe("value formatting", () => {
  it("shows a gap as 'no data', never as 0", () => {
    for (const kind of ["ms", "usd", "percent", "count", "tokens"] as const) {
      expect(formatValue(kind, null)).toBe(NO_DATA);
      expect(formatValue(kind, undefined)).toBe(NO_DATA);
      expect(formatValue(kind, Number.NaN)).toBe(NO_DATA);
    }
  });

  it("formats percentages", () => {
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(1 / 3, 2)).toBe("33.33%");
    expect(formatPercent(0.9996)).toBe("100%");
  });

  it("formats latencies, money, counts and tokens", () => {
    expect(formatMs(849.6)).toBe("850 ms");
    expect(formatMs(1234)).toBe("1.23 s");
    expect(formatMs(90_000)).toBe("1.5 min");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(0.05)).toBe("$0.0500"); // one rule below ten cents, so a column lines up
    expect(formatUsd(0.13)).toBe("$0.13");
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatCount(12345)).toBe("12,345");
    expect(formatTokens(950)).toBe("950");
    expect(formatTokens(12_345)).toBe("12.3k");
    expect(formatTokens(2_500_000)).toBe("2.5M");
  });

  it("labels buckets in UTC", () => {
    const t = Date.UTC(2031, 0, 6, 14);
    expect(formatBucketTick(t, "hour")).toBe("14:00");
    expect(formatBucketTick(t, "day")).toBe("Jan 6");
    expect(formatBucketTitle(Date.UTC(2031, 0, 6, 23), "hour")).toBe("Jan 6, 23:00–00:00 UTC");
    expect(formatBucketTitle(t, "day")).toBe("Jan 6 (UTC)");
  });
});
