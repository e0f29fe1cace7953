import { describe, expect, it } from "vitest";
import {
  axisTicks,
  layoutWaterfall,
  MIN_BAR_PCT,
  visibleRows,
  type LayoutSpan,
} from "@/app/(console)/traces/_components/waterfall-layout";

const span = (id: string, parentId: string | null, startOffsetMs: number, durationMs: number | null): LayoutSpan => ({
  id,
  parentId,
  startOffsetMs,
  durationMs,
});

const shape = (rows: ReturnType<typeof layoutWaterfall>["rows"]) =>
  rows.map((r) => `${"  ".repeat(r.depth)}${r.span.id}${r.orphan ? " (orphan)" : ""}`);

describe("layoutWaterfall", () => {
  it("orders a tree depth-first with children by start time, whatever the input order", () => {
    const layout = layoutWaterfall([
      span("llm2", "step1", 600, 100),
      span("step2", "root", 500, 400),
      span("root", null, 0, 1000),
      span("tool", "step1", 300, 50),
      span("step1", "root", 0, 450),
      span("llm1", "step1", 10, 200),
      span("llm3", "step2", 520, 300),
    ]);
    expect(shape(layout.rows)).toEqual([
      "root",
      "  step1",
      "    llm1",
      "    tool",
      "    llm2",
      "  step2",
      "    llm3",
    ]);
    expect(layout.rows.map((r) => r.childCount)).toEqual([2, 3, 0, 0, 0, 1, 0]);
  });

  it("places bars on a shared axis in percent of the trace's length", () => {
    const layout = layoutWaterfall([span("root", null, 0, 2000), span("a", "root", 500, 1000), span("b", "root", 1500, 500)]);
    expect(layout.totalMs).toBe(2000);
    const [root, a, b] = layout.rows;
    expect(root).toMatchObject({ leftPct: 0, widthPct: 100 });
    expect(a).toMatchObject({ leftPct: 25, widthPct: 50 });
    expect(b).toMatchObject({ leftPct: 75, widthPct: 25 });
  });

  it("extends the axis to the latest end, even past the root's end", () => {
    const layout = layoutWaterfall([span("root", null, 0, 100), span("late", "root", 150, 50)]);
    expect(layout.totalMs).toBe(200);
    expect(layout.rows[0]).toMatchObject({ leftPct: 0, widthPct: 50 });
    expect(layout.rows[1]).toMatchObject({ leftPct: 75, widthPct: 25 });
  });

  it("gives a zero-length span a visible mark that stays inside the axis", () => {
    const layout = layoutWaterfall([span("root", null, 0, 1000), span("handoff", "root", 1000, 0), span("mid", "root", 400, 0)]);
    const handoff = layout.rows.find((r) => r.span.id === "handoff")!;
    expect(handoff.widthPct).toBe(MIN_BAR_PCT);
    expect(handoff.leftPct + handoff.widthPct).toBeLessThanOrEqual(100);
    expect(layout.rows.find((r) => r.span.id === "mid")).toMatchObject({ leftPct: 40, widthPct: MIN_BAR_PCT });
  });

  it("runs an open span (no end yet) to the end of the axis and flags it", () => {
    const layout = layoutWaterfall([span("root", null, 0, null), span("llm", "root", 200, 600)]);
    expect(layout.totalMs).toBe(800);
    expect(layout.rows[0]).toMatchObject({ open: true, leftPct: 0, widthPct: 100 });
    expect(layout.rows[1]).toMatchObject({ open: false, leftPct: 25, widthPct: 75 });
  });

  it("shows a span whose parent is missing at the root, flagged, with its own children under it", () => {
    const layout = layoutWaterfall([
      span("root", null, 0, 1000),
      span("lost", "not-recorded", 300, 100),
      span("child-of-lost", "lost", 310, 10),
      span("ok", "root", 100, 100),
    ]);
    expect(shape(layout.rows)).toEqual(["root", "  ok", "lost (orphan)", "  child-of-lost"]);
    expect(layout.rows.filter((r) => r.orphan).map((r) => r.span.id)).toEqual(["lost"]);
  });

  it("does not loop on a parent cycle: the cycle is shown at the root, flagged", () => {
    const layout = layoutWaterfall([span("root", null, 0, 100), span("a", "b", 10, 5), span("b", "a", 20, 5)]);
    expect(layout.rows).toHaveLength(3);
    expect(shape(layout.rows)).toEqual(["root", "a (orphan)", "  b"]);
  });

  it("treats negative, NaN and empty inputs as zero rather than drawing outside the axis", () => {
    expect(layoutWaterfall([])).toMatchObject({ rows: [], totalMs: 1 });
    const layout = layoutWaterfall([span("x", null, -50, Number.NaN)]);
    expect(layout.rows[0]).toMatchObject({ leftPct: 0, widthPct: MIN_BAR_PCT });
  });

  it("handles a chain deeper than the call stack would like", () => {
    const spans = Array.from({ length: 5000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i, 1));
    const layout = layoutWaterfall(spans);
    expect(layout.rows.at(-1)).toMatchObject({ depth: 4999 });
  });
});

describe("visibleRows", () => {
  const rows = layoutWaterfall([
    span("root", null, 0, 100),
    span("s1", "root", 0, 50),
    span("l1", "s1", 1, 10),
    span("t1", "l1", 2, 1),
    span("s2", "root", 60, 30),
    span("l2", "s2", 61, 10),
  ]).rows;

  it("hides the descendants of a collapsed row and keeps its siblings", () => {
    expect(visibleRows(rows, new Set(["s1"])).map((r) => r.span.id)).toEqual(["root", "s1", "s2", "l2"]);
    expect(visibleRows(rows, new Set(["l1", "s2"])).map((r) => r.span.id)).toEqual(["root", "s1", "l1", "s2"]);
    expect(visibleRows(rows, new Set(["root"])).map((r) => r.span.id)).toEqual(["root"]);
    expect(visibleRows(rows, new Set()).length).toBe(6);
  });
});

describe("axisTicks", () => {
  it("picks round steps from zero to at most the total", () => {
    expect(axisTicks(1000).map((t) => t.ms)).toEqual([0, 500, 1000]);
    expect(axisTicks(2300).map((t) => t.ms)).toEqual([0, 1000, 2000]);
    expect(axisTicks(80).map((t) => t.ms)).toEqual([0, 20, 40, 60, 80]);
    expect(axisTicks(80).map((t) => t.pct)).toEqual([0, 25, 50, 75, 100]);
    expect(axisTicks(0)).toEqual([{ ms: 0, pct: 0 }]);
  });
});
