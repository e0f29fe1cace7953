"use client";

import { useEffect, useState } from "react";

/** "14:59 left", or "overdue 3:05" in red, ticking every second. */
export function SlaCountdown({ dueAt, stopped = false }: { dueAt: string; stopped?: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (stopped) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [stopped]);
  const left = Date.parse(dueAt) - now;
  const overdue = left < 0;
  return (
    <time
      dateTime={dueAt}
      title={`SLA due ${dueAt.replace("T", " ").slice(0, 19)} UTC`}
      data-testid="sla-countdown"
      data-overdue={overdue ? "true" : "false"}
      // The server and the browser render a second apart; the next tick corrects it.
      suppressHydrationWarning
      className={`font-mono text-xs whitespace-nowrap tabular-nums ${
        overdue
          ? "font-semibold text-rose-700"
          : left < 5 * 60_000
            ? "text-amber-700"
            : "text-slate-700"
      }`}
    >
      {overdue ? `overdue ${formatDuration(-left)}` : `${formatDuration(left)} left`}
    </time>
  );
}

/** 3:05, 1:02:03 or 2d 4h. */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86_400);
  if (days > 0) return `${days}d ${Math.floor((total % 86_400) / 3600)}h`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
