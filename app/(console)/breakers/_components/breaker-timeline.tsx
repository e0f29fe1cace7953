import {
  type BreakerStatusName,
  prepareBreakerTimeline,
  type TimelineTransition,
} from "@/lib/breakers/timeline";
import { breakerStatusLabels, breakerTones } from "./breaker-status";

/** The breaker's state over the page's range as a coloured bar (each segment titled for hover). */
export function BreakerTimeline(props: {
  name: string;
  status: BreakerStatusName;
  transitions: readonly TimelineTransition[];
  from: number;
  to: number;
}) {
  const segments = prepareBreakerTimeline(props.transitions, props.status, props.from, props.to);
  return (
    <div
      role="img"
      aria-label={`State of ${props.name} over the last 30 minutes`}
      className="relative h-3 w-48 overflow-hidden rounded bg-slate-100"
    >
      {segments.map((s) => {
        // A state that lasted seconds of the half hour still gets a visible sliver, kept on the bar.
        const width = Math.max(s.width, 1.5);
        const left = Math.min(s.left, 100 - width);
        return (
          <div
            key={s.start}
            data-status={s.status}
            title={`${breakerStatusLabels[s.status]} ${new Date(s.start).toISOString().slice(11, 19)}–${new Date(s.end).toISOString().slice(11, 19)} UTC`}
            className={`absolute inset-y-0 ${breakerTones[s.status].bar}`}
            style={{ left: `${left}%`, width: `${width}%` }}
          />
        );
      })}
    </div>
  );
}
