"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import { formatDuration } from "./format";
import { partLabel } from "./coordination";
import { partTones, toneOf } from "./span-kinds";
import { visibleRows, type AxisTick, type WaterfallRow } from "./waterfall-layout";

/** What a waterfall row shows; attributes and payloads stay on the server (the detail panel). */
export interface WaterfallSpan {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  status: string;
  agent: string | null;
  agentVersion: number | null;
  model: string | null;
  startOffsetMs: number;
  durationMs: number | null;
  error: string | null;
  /** Hybrid and mesh runs: the span's part (`orchestrated`, `peer_group`, `mixed`) and group. */
  part: string | null;
  group: string | null;
  /** A handled refusal (a rejected context write): status ok, but marked so it stands out. */
  rejected: boolean;
}

const MAX_INDENT_DEPTH = 16;

/**
 * The span tree as a waterfall. Collapsing is local state (buttons); opening a span is a link
 * (`?span=…`), so the server renders its detail and payload and the URL can be shared.
 */
export function Waterfall({
  traceId,
  rows,
  ticks,
  totalMs,
  selectedId,
  detail,
}: {
  traceId: string;
  rows: WaterfallRow<WaterfallSpan>[];
  ticks: AxisTick[];
  totalMs: number;
  selectedId: string | null;
  detail: ReactNode;
}) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const shown = visibleRows(rows, collapsed);
  // Collapsing below the top level leaves one line per step (and per orphan) to scan.
  const nested = rows.filter((r) => r.childCount > 0 && r.depth > 0).map((r) => r.span.id);
  const toggle = (id: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="rounded-xl border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-100 px-3 py-2 text-xs">
        <span className="text-slate-500">
          {rows.length} spans · {formatDuration(totalMs)} on the axis
        </span>
        <button
          type="button"
          onClick={() => setCollapsed(new Set())}
          className="rounded px-2 py-0.5 text-indigo-700 ring-1 ring-slate-200 hover:bg-slate-50"
        >
          Expand all
        </button>
        <button
          type="button"
          onClick={() => setCollapsed(new Set(nested))}
          className="rounded px-2 py-0.5 text-indigo-700 ring-1 ring-slate-200 hover:bg-slate-50"
        >
          Collapse steps
        </button>
      </div>
      <div className="grid grid-cols-[minmax(0,5fr)_4.5rem_minmax(0,6fr)] gap-x-2 border-b border-slate-100 px-3 py-1.5 text-xs text-slate-500">
        <span>Span</span>
        <span className="text-right">Duration</span>
        <div className="relative h-4" aria-hidden>
          {ticks.map((t) => (
            <span
              key={t.ms}
              className="absolute top-0 whitespace-nowrap tabular-nums"
              style={t.pct >= 90 ? { right: `${100 - t.pct}%` } : { left: `${t.pct}%` }}
            >
              {formatDuration(t.ms)}
            </span>
          ))}
        </div>
      </div>
      <ol aria-label="Spans" className="divide-y divide-slate-50">
        {shown.map((row) => (
          <WaterfallRowItem
            key={row.span.id}
            traceId={traceId}
            row={row}
            ticks={ticks}
            selected={row.span.id === selectedId}
            collapsed={collapsed.has(row.span.id)}
            onToggle={() => toggle(row.span.id)}
            detail={row.span.id === selectedId ? detail : null}
          />
        ))}
      </ol>
    </div>
  );
}

function WaterfallRowItem({
  traceId,
  row,
  ticks,
  selected,
  collapsed,
  onToggle,
  detail,
}: {
  traceId: string;
  row: WaterfallRow<WaterfallSpan>;
  ticks: AxisTick[];
  selected: boolean;
  collapsed: boolean;
  onToggle: () => void;
  detail: ReactNode;
}) {
  const { span } = row;
  const tone = toneOf(span.kind);
  const failed = span.status === "error";
  const href = selected ? `/traces/${traceId}` : `/traces/${traceId}?span=${span.id}`;
  const labelAfterBar = row.leftPct + row.widthPct <= 80;
  return (
    <li
      data-span-id={span.id}
      data-kind={span.kind}
      data-status={span.status}
      data-rejected={span.rejected ? "true" : undefined}
      data-part={span.part ?? undefined}
      data-group={span.group ?? undefined}
    >
      <div
        className={`grid grid-cols-[minmax(0,5fr)_4.5rem_minmax(0,6fr)] items-center gap-x-2 px-3 py-1 text-sm ${
          selected ? "bg-indigo-50" : failed ? "bg-red-50/70" : "hover:bg-slate-50"
        }`}
      >
        <div className="flex min-w-0 items-center gap-1" style={{ paddingLeft: `${Math.min(row.depth, MAX_INDENT_DEPTH) * 0.9}rem` }}>
          {row.childCount > 0 ? (
            <button
              type="button"
              onClick={onToggle}
              aria-expanded={!collapsed}
              aria-label={`${collapsed ? "Expand" : "Collapse"} ${span.name} (${row.childCount} children)`}
              className="flex size-5 shrink-0 items-center justify-center rounded text-slate-500 hover:bg-slate-200"
            >
              <span aria-hidden className={`text-[10px] transition-transform ${collapsed ? "" : "rotate-90"}`}>
                ▶
              </span>
            </button>
          ) : (
            <span className="size-5 shrink-0" aria-hidden />
          )}
          <span className={`shrink-0 rounded px-1 py-px font-mono text-[10px] uppercase ${tone.tag}`}>{span.kind}</span>
          <Link
            href={href}
            scroll={false}
            aria-expanded={selected}
            className={`min-w-0 truncate hover:underline ${failed ? "font-medium text-red-800" : "text-slate-900"}`}
            title={span.error ? `${span.name} — ${span.error}` : span.name}
          >
            {span.name}
          </Link>
          {span.part ? (
            <span
              className={`shrink-0 rounded px-1 text-[10px] font-medium ring-1 ${partTones[span.part] ?? partTones.mixed}`}
            >
              {partLabel({ part: span.part, group: span.group })}
            </span>
          ) : null}
          {failed ? (
            <span className="shrink-0 rounded bg-red-100 px-1 text-[10px] font-medium text-red-800 uppercase">error</span>
          ) : null}
          {span.rejected ? (
            <span className="shrink-0 rounded bg-amber-100 px-1 text-[10px] font-medium text-amber-900 uppercase">rejected</span>
          ) : null}
          {row.orphan ? (
            <span
              className="shrink-0 rounded bg-amber-100 px-1 text-[10px] font-medium text-amber-900"
              title="Its parent span is not in this trace; shown at the top level."
            >
              orphan
            </span>
          ) : null}
          {span.agent ? (
            <span className="ml-auto shrink-0 pl-1 font-mono text-[11px] text-slate-500">
              {span.agent}@v{span.agentVersion ?? "?"}
            </span>
          ) : null}
        </div>
        <span className="text-right text-xs text-slate-600 tabular-nums">
          {row.open ? "open" : formatDuration(span.durationMs)}
        </span>
        <div className="relative h-5" aria-hidden>
          {ticks.slice(1).map((t) => (
            <span key={t.ms} className="absolute inset-y-0 w-px bg-slate-100" style={{ left: `${t.pct}%` }} />
          ))}
          <span
            className={`absolute top-1 h-3 rounded-sm ${failed ? "bg-red-500 ring-2 ring-red-300" : tone.bar} ${row.open ? "opacity-60" : ""}`}
            style={{ left: `${row.leftPct}%`, width: `${row.widthPct}%` }}
          />
          {span.model ? (
            <span
              className="absolute top-0 text-[10px] whitespace-nowrap text-slate-500"
              style={labelAfterBar ? { left: `calc(${row.leftPct + row.widthPct}% + 4px)` } : { right: `calc(${100 - row.leftPct}% + 4px)` }}
            >
              {span.model}
            </span>
          ) : null}
        </div>
      </div>
      {detail}
    </li>
  );
}
