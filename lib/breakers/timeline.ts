/**
 * Pure preparation of a breaker's state timeline for the console (STYLE.md: renderers decide
 * nothing). Client-safe: plain data in, plain data out.
 */
export type BreakerStatusName = "closed" | "open" | "half_open";

export interface TimelineTransition {
  readonly from: string;
  readonly to: string;
  /** Epoch ms. */
  readonly at: number;
}

export interface TimelineSegment {
  readonly status: BreakerStatusName;
  readonly start: number;
  readonly end: number;
  /** Position and width on the bar, in percent of the range. */
  readonly left: number;
  readonly width: number;
}

const asStatus = (s: string): BreakerStatusName =>
  s === "open" || s === "half_open" ? s : "closed";

/**
 * The breaker's status over [from, to] as consecutive segments. The status before the first
 * transition in range is that transition's `from`; with no transition in range the breaker was
 * in its current status the whole time. Transitions outside the range are ignored; a change of
 * status to itself (a reset of a closed breaker) does not split a segment.
 */
export function prepareBreakerTimeline(
  transitions: readonly TimelineTransition[],
  current: string,
  from: number,
  to: number,
): TimelineSegment[] {
  if (to <= from) return [];
  const inRange = transitions.filter((t) => t.at >= from && t.at <= to).sort((a, b) => a.at - b.at);
  const spans: { status: BreakerStatusName; start: number; end: number }[] = [];
  let status = asStatus(inRange[0]?.from ?? current);
  let start = from;
  for (const t of inRange) {
    const next = asStatus(t.to);
    if (next === status) continue;
    if (t.at > start) spans.push({ status, start, end: t.at });
    status = next;
    start = t.at;
  }
  if (to > start) spans.push({ status, start, end: to });
  const range = to - from;
  return spans.map((s) => ({
    ...s,
    left: ((s.start - from) / range) * 100,
    width: ((s.end - s.start) / range) * 100,
  }));
}
