"use client";

import { useQuery } from "@tanstack/react-query";
import type { TimelineTransition } from "@/lib/breakers/timeline";
import { type BreakerDto, type BreakersDto, breakersOptions } from "@/lib/query/breakers";
import { BreakerCommand } from "./breaker-command";
import { BreakerStatusBadge } from "./breaker-status";
import { BreakerTimeline } from "./breaker-timeline";
import { TransitionList } from "./transition-list";

const kindLabels = { agent: "Agent", model: "Model", tool: "Tool", other: "Other" } as const;

/** Every breaker, refreshed by polling; admins get trip and reset buttons. */
export function BreakersBoard({ initial, canWrite }: { initial: BreakersDto; canWrite: boolean }) {
  const { data, error } = useQuery({ ...breakersOptions(), initialData: initial });
  const from = Date.parse(data.since);
  const to = Date.parse(data.now);
  const byKey = new Map<string, TimelineTransition[]>();
  for (const t of data.transitions) {
    const list = byKey.get(t.key) ?? [];
    list.push({ from: t.from, to: t.to, at: Date.parse(t.at) });
    byKey.set(t.key, list);
  }
  const open = data.breakers.filter((b) => b.status !== "closed").length;
  return (
    <div className="space-y-8">
      <p role="status" className="text-sm text-slate-600">
        {open === 0
          ? "All breakers are closed."
          : `${open} breaker${open === 1 ? " is" : "s are"} open or half-open.`}{" "}
        <span className="text-xs text-slate-500">Updates itself every few seconds.</span>
        {error ? <span className="ml-2 text-xs text-rose-700">{error.message}</span> : null}
      </p>
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full text-sm" aria-label="Circuit breakers">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Breaker
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                State
              </th>
              <th
                scope="col"
                className="px-3 py-2 text-right font-medium"
                title="Failures in a row"
              >
                Consecutive
              </th>
              <th
                scope="col"
                className="px-3 py-2 text-right font-medium"
                title="Failures / calls in the sliding window"
              >
                Window
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Next probe
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Last 30 min
              </th>
              {canWrite ? (
                <th scope="col" className="px-3 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.breakers.map((b) => (
              <BreakerRow
                key={b.key}
                breaker={b}
                transitions={byKey.get(b.key) ?? []}
                from={from}
                to={to}
                canWrite={canWrite}
              />
            ))}
          </tbody>
        </table>
      </div>
      <TransitionList transitions={data.transitions} />
    </div>
  );
}

function BreakerRow(props: {
  breaker: BreakerDto;
  transitions: TimelineTransition[];
  from: number;
  to: number;
  canWrite: boolean;
}) {
  const b = props.breaker;
  return (
    <tr data-testid={`breaker-${b.key}`} data-status={b.status}>
      <th scope="row" className="px-3 py-2 text-left font-medium text-slate-900">
        <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-600">
          {kindLabels[b.kind]}
        </span>
        {b.name}
        {b.updatedAt === null ? (
          <span className="ml-2 text-xs font-normal text-slate-400">no calls yet</span>
        ) : null}
      </th>
      <td className="px-3 py-2">
        <BreakerStatusBadge status={b.status} forced={b.forced} />
      </td>
      <td className="px-3 py-2 text-right tabular-nums">{b.consecutiveFailures}</td>
      <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap">
        {b.windowFailures} / {b.windowCalls}
      </td>
      <td className="px-3 py-2 text-xs whitespace-nowrap text-slate-600">
        {b.forced
          ? "until reset"
          : b.probeAt
            ? new Date(b.probeAt).toISOString().slice(11, 19) + " UTC"
            : b.status === "half_open"
              ? "probing"
              : "—"}
      </td>
      <td className="px-3 py-2">
        <BreakerTimeline
          name={b.key}
          status={b.status}
          transitions={props.transitions}
          from={props.from}
          to={props.to}
        />
      </td>
      {props.canWrite ? (
        <td className="px-3 py-2 text-right whitespace-nowrap">
          {b.status === "closed" ? (
            <BreakerCommand breakerKey={b.key} command="force_open" />
          ) : (
            <BreakerCommand breakerKey={b.key} command="reset" />
          )}
        </td>
      ) : null}
    </tr>
  );
}
