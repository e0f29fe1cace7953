/**
 * Pure layout of a trace waterfall: spans become rows in tree order (depth-first, children by
 * start), each with a depth and a bar placed on a shared time axis in percent. The renderer
 * decides nothing; everything it draws comes from here.
 */
export interface LayoutSpan {
  id: string;
  parentId: string | null;
  /** Milliseconds after the trace's start. */
  startOffsetMs: number;
  /** Null while the span is still open: its bar then runs to the end of the axis. */
  durationMs: number | null;
}

export interface WaterfallRow<S extends LayoutSpan> {
  span: S;
  depth: number;
  /** Its parent is not in the trace (not recorded, or beyond the span bound): shown at the root. */
  orphan: boolean;
  childCount: number;
  /** Still open (no end recorded). */
  open: boolean;
  leftPct: number;
  widthPct: number;
}

export interface AxisTick {
  ms: number;
  pct: number;
}

export interface WaterfallLayout<S extends LayoutSpan> {
  rows: WaterfallRow<S>[];
  /** Length of the shared axis: the latest end (or start) of any span, at least 1 ms. */
  totalMs: number;
  ticks: AxisTick[];
}

/** A zero-length span (a handoff, a decision) still gets a visible mark. */
export const MIN_BAR_PCT = 0.5;

export function layoutWaterfall<S extends LayoutSpan>(spans: readonly S[]): WaterfallLayout<S> {
  const totalMs = Math.max(
    1,
    ...spans.map((s) => clampMs(s.startOffsetMs) + clampMs(s.durationMs ?? 0)),
  );
  const byId = new Map<string, S>();
  for (const s of spans) if (!byId.has(s.id)) byId.set(s.id, s);
  const children = new Map<string, S[]>();
  const roots: { span: S; orphan: boolean }[] = [];
  for (const s of byId.values()) {
    const parent = s.parentId;
    if (parent === null || parent === s.id) {
      roots.push({ span: s, orphan: false });
    } else if (!byId.has(parent)) {
      roots.push({ span: s, orphan: true });
    } else {
      const list = children.get(parent) ?? [];
      list.push(s);
      children.set(parent, list);
    }
  }
  const order = new Map([...byId.values()].map((s, i) => [s.id, i]));
  const byStart = (a: S, b: S) =>
    clampMs(a.startOffsetMs) - clampMs(b.startOffsetMs) || order.get(a.id)! - order.get(b.id)!;
  for (const list of children.values()) list.sort(byStart);
  roots.sort((a, b) => byStart(a.span, b.span));

  const rows: WaterfallRow<S>[] = [];
  const visited = new Set<string>();
  const walk = (root: S, orphan: boolean) => {
    // Iterative: a trace may nest deeper than a comfortable call stack.
    const stack: { span: S; depth: number; orphan: boolean }[] = [{ span: root, depth: 0, orphan }];
    while (stack.length) {
      const item = stack.pop()!;
      if (visited.has(item.span.id)) continue;
      visited.add(item.span.id);
      const kids = children.get(item.span.id) ?? [];
      rows.push(placeRow(item.span, item.depth, item.orphan, kids.length, totalMs));
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: item.depth + 1, orphan: false });
    }
  };
  for (const r of roots) walk(r.span, r.orphan);
  // Spans in a parent cycle are reachable from no root: show them at the root, flagged.
  for (const s of [...byId.values()].sort(byStart)) if (!visited.has(s.id)) walk(s, true);
  return { rows, totalMs, ticks: axisTicks(totalMs) };
}

function placeRow<S extends LayoutSpan>(
  span: S,
  depth: number,
  orphan: boolean,
  childCount: number,
  totalMs: number,
): WaterfallRow<S> {
  const start = Math.min(clampMs(span.startOffsetMs), totalMs);
  const open = span.durationMs === null;
  const end = open ? totalMs : Math.min(start + clampMs(span.durationMs ?? 0), totalMs);
  const leftPct = Math.min((start / totalMs) * 100, 100 - MIN_BAR_PCT);
  const widthPct = Math.min(Math.max(((end - start) / totalMs) * 100, MIN_BAR_PCT), 100 - leftPct);
  return { span, depth, orphan, childCount, open, leftPct: round(leftPct), widthPct: round(widthPct) };
}

/** Rows left after collapsing: the descendants of a collapsed row are hidden, the row itself stays. */
export function visibleRows<R extends { span: { id: string }; depth: number }>(
  rows: readonly R[],
  collapsed: ReadonlySet<string>,
): R[] {
  const out: R[] = [];
  let hideBelow: number | null = null;
  for (const row of rows) {
    if (hideBelow !== null && row.depth > hideBelow) continue;
    hideBelow = null;
    out.push(row);
    if (collapsed.has(row.span.id)) hideBelow = row.depth;
  }
  return out;
}

/** Four or five round tick marks (1, 2 or 5 × 10^n ms) from 0 to at most totalMs. */
export function axisTicks(totalMs: number): AxisTick[] {
  if (!(totalMs > 0) || !Number.isFinite(totalMs)) return [{ ms: 0, pct: 0 }];
  const rough = totalMs / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: AxisTick[] = [];
  for (let ms = 0; ms <= totalMs + 1e-9; ms += step) ticks.push({ ms: round(ms), pct: round((ms / totalMs) * 100) });
  return ticks;
}

function clampMs(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
