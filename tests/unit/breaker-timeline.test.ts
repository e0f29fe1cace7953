import { describe, expect, it } from "vitest";
import { prepareBreakerTimeline } from "@/lib/breakers/timeline";

const simplify = (segments: ReturnType<typeof prepareBreakerTimeline>) =>
  segments.map((s) => `${s.status}:${s.start}-${s.end}@${s.left}+${s.width}`);

describe("prepareBreakerTimeline", () => {
  it("is one segment in the current status when nothing happened in range", () => {
    expect(simplify(prepareBreakerTimeline([], "open", 0, 100))).toEqual(["open:0-100@0+100"]);
  });

  it("splits at each transition, starting from the first transition's from-status", () => {
    const transitions = [
      { from: "closed", to: "open", at: 20 },
      { from: "open", to: "half_open", at: 50 },
      { from: "half_open", to: "closed", at: 60 },
    ];
    expect(simplify(prepareBreakerTimeline(transitions, "closed", 0, 100))).toEqual([
      "closed:0-20@0+20",
      "open:20-50@20+30",
      "half_open:50-60@50+10",
      "closed:60-100@60+40",
    ]);
  });

  it("ignores transitions outside the range and same-status resets, and sorts its input", () => {
    const transitions = [
      { from: "closed", to: "closed", at: 70 },
      { from: "closed", to: "open", at: 40 },
      { from: "open", to: "closed", at: -10 },
      { from: "open", to: "closed", at: 60 },
    ];
    expect(simplify(prepareBreakerTimeline(transitions, "closed", 0, 100))).toEqual([
      "closed:0-40@0+40",
      "open:40-60@40+20",
      "closed:60-100@60+40",
    ]);
  });

  it("treats an unknown status as closed and an empty range as nothing", () => {
    expect(simplify(prepareBreakerTimeline([], "weird", 0, 10))).toEqual(["closed:0-10@0+100"]);
    expect(prepareBreakerTimeline([], "open", 10, 10)).toEqual([]);
  });
});
