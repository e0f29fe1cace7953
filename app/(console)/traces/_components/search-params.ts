import { z } from "zod";
import { traceStatuses } from "@/lib/dal/traces";

export const rangePresets = { "1h": 3600_000, "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000 } as const;
export const ranges = ["1h", "24h", "7d", "custom"] as const;
export type Range = (typeof ranges)[number];

/** `<input type="datetime-local">` text, read as UTC (the console shows every time in UTC). */
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/)
  .refine((s) => !Number.isNaN(Date.parse(`${s}Z`)) && new Date(`${s}Z`).toISOString().startsWith(s.slice(0, 16)))
  .optional()
  .catch(undefined);

const name = z
  .string()
  .trim()
  .max(100)
  .regex(/^[\w.:@/+-]*$/)
  .optional()
  .catch(undefined)
  .transform((v) => v || undefined);

const nonNegative = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().min(0).max(max))
    .optional()
    .catch(undefined);

/** The list's URL state. Anything malformed is dropped, never an error page. */
export const traceSearchSchema = z.object({
  range: z.enum(ranges).catch("24h"),
  from: localDateTime,
  to: localDateTime,
  agent: name,
  model: name,
  status: z.enum(traceStatuses).optional().catch(undefined),
  minCost: nonNegative(1_000_000),
  minLatency: nonNegative(31 * 24 * 3600_000),
  cursor: z.string().max(400).optional().catch(undefined),
});

export type TraceSearch = z.infer<typeof traceSearchSchema>;

/** The time window the URL asks for; a custom range missing an end uses now, missing a start 24 h before its end. */
export function windowOf(search: TraceSearch, now: number): { from: Date; to: Date } {
  if (search.range !== "custom") return { from: new Date(now - rangePresets[search.range]), to: new Date(now) };
  const to = search.to ? new Date(`${search.to}Z`) : new Date(now);
  const from = search.from ? new Date(`${search.from}Z`) : new Date(to.getTime() - rangePresets["24h"]);
  return { from, to };
}

export function isFiltered(search: TraceSearch): boolean {
  return Boolean(search.agent || search.model || search.status || search.minCost || search.minLatency);
}

/** A /traces URL for the given state, omitting empty and default parts. */
export function tracesHref(state: Partial<TraceSearch>): string {
  const params = new URLSearchParams();
  if (state.range && state.range !== "24h") params.set("range", state.range);
  if (state.range === "custom") {
    if (state.from) params.set("from", state.from);
    if (state.to) params.set("to", state.to);
  }
  if (state.agent) params.set("agent", state.agent);
  if (state.status) params.set("status", state.status);
  if (state.model) params.set("model", state.model);
  if (state.minCost) params.set("minCost", String(state.minCost));
  if (state.minLatency) params.set("minLatency", String(state.minLatency));
  if (state.cursor) params.set("cursor", state.cursor);
  const query = params.toString();
  return query ? `/traces?${query}` : "/traces";
}
