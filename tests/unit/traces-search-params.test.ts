import { describe, expect, it } from "vitest";
import { traceSearchSchema, tracesHref, windowOf } from "@/app/(console)/traces/_components/search-params";

const now = Date.UTC(2031, 0, 10, 12, 0, 0);

describe("trace list URL state", () => {
  it("defaults to the last 24 hours with no filters", () => {
    const search = traceSearchSchema.parse({});
    expect(search).toEqual({ range: "24h" });
    expect(windowOf(search, now)).toEqual({ from: new Date(now - 24 * 3600_000), to: new Date(now) });
    expect(tracesHref(search)).toBe("/traces");
  });

  it("reads every filter", () => {
    const search = traceSearchSchema.parse({
      range: "7d",
      agent: "billing",
      model: "simulator/strong",
      status: "failed",
      minCost: "0.05",
      minLatency: "1500",
      cursor: "abc",
    });
    expect(search).toEqual({
      range: "7d",
      agent: "billing",
      model: "simulator/strong",
      status: "failed",
      minCost: 0.05,
      minLatency: 1500,
      cursor: "abc",
    });
    expect(windowOf(search, now).from).toEqual(new Date(now - 7 * 24 * 3600_000));
    expect(traceSearchSchema.parse(Object.fromEntries(new URL(`http://x${tracesHref(search)}`).searchParams))).toEqual(search);
  });

  it("ignores malformed values instead of failing", () => {
    const search = traceSearchSchema.parse({
      range: "forever",
      agent: "<script>",
      model: ["a", "b"],
      status: "exploded",
      minCost: "-1",
      minLatency: "1e99",
      from: "2031-02-31T00:00",
      to: "yesterday",
      cursor: "x".repeat(500),
    });
    expect(search).toEqual({ range: "24h" });
    expect(traceSearchSchema.parse({ agent: "", model: "  ", minCost: "", minLatency: "abc" })).toEqual({ range: "24h" });
  });

  it("reads a custom range as UTC, filling a missing end with now and a missing start with 24 h before the end", () => {
    const both = traceSearchSchema.parse({ range: "custom", from: "2031-01-01T08:00", to: "2031-01-02T09:30" });
    expect(windowOf(both, now)).toEqual({
      from: new Date(Date.UTC(2031, 0, 1, 8, 0)),
      to: new Date(Date.UTC(2031, 0, 2, 9, 30)),
    });
    expect(tracesHref(both)).toBe("/traces?range=custom&from=2031-01-01T08%3A00&to=2031-01-02T09%3A30");
    const onlyFrom = traceSearchSchema.parse({ range: "custom", from: "2031-01-09T00:00" });
    expect(windowOf(onlyFrom, now)).toEqual({ from: new Date(Date.UTC(2031, 0, 9)), to: new Date(now) });
    const onlyTo = traceSearchSchema.parse({ range: "custom", to: "2031-01-05T00:00" });
    expect(windowOf(onlyTo, now)).toEqual({ from: new Date(Date.UTC(2031, 0, 4)), to: new Date(Date.UTC(2031, 0, 5)) });
    // from/to only count with the custom range.
    expect(windowOf(traceSearchSchema.parse({ range: "1h", from: "2031-01-01T00:00" }), now).from).toEqual(new Date(now - 3600_000));
  });
});
