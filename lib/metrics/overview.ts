import type { Permission } from "@/lib/auth/permissions";
import { ratio } from "./definitions";
import { formatValue, type ValueKind } from "./format";
import { type TimeRange } from "./range";
import { prepareSparkline, type SeriesPoint, type Sparkline } from "./series";

/**
 * The overview's headline numbers over the last 24 hours. Turns are runs; a run is counted in the
 * window it was created in.
 *
 * - conversations started: conversations created in the window;
 * - resolution rate: settled runs (completed, escalated, failed) that completed / settled runs;
 * - escalation rate: settled runs that escalated / settled runs;
 * - p95 turn latency: percentile_cont(0.95) over runs.duration_ms of settled runs;
 * - spend: sum of runs.cost_usd; errors: sum of runs.errors (error spans of the turn).
 */
export interface OverviewTotals {
  conversations: number;
  runs: number;
  settledRuns: number;
  completedRuns: number;
  escalatedRuns: number;
  turnLatencyP95Ms: number | null;
  costUsd: number;
  errors: number;
}

export interface OverviewRunHour {
  bucket: number;
  settledRuns: number;
  completedRuns: number;
  escalatedRuns: number;
  turnLatencyP95Ms: number | null;
  costUsd: number;
  errors: number;
}

export interface OverviewMetrics {
  range: TimeRange;
  totals: OverviewTotals;
  conversationHours: { bucket: number; conversations: number }[];
  runHours: OverviewRunHour[];
}

export interface Headline {
  id: "conversations" | "resolution_rate" | "escalation_rate" | "turn_latency_p95" | "spend" | "errors";
  label: string;
  value: string;
  /** What the number counts, in words. */
  detail: string;
  /** Only set when the viewer's role may open the area. */
  link: { href: string; label: string } | null;
  sparkline: Sparkline;
}

interface Spec {
  id: Headline["id"];
  label: string;
  kind: ValueKind;
  detail: string;
  href: string;
  linkLabel: string;
  permission: Permission;
  total: (t: OverviewTotals) => number | null;
  hourly: (m: OverviewMetrics) => SeriesPoint[];
}

const runSeries = (pick: (h: OverviewRunHour) => number | null) => (m: OverviewMetrics) =>
  m.runHours.map((h) => ({ t: h.bucket, value: pick(h) }));

const specs: Spec[] = [
  {
    id: "conversations",
    label: "Conversations started",
    kind: "count",
    detail: "new conversations",
    href: "/conversations",
    linkLabel: "Conversations",
    permission: "conversations:read",
    total: (t) => t.conversations,
    hourly: (m) => m.conversationHours.map((h) => ({ t: h.bucket, value: h.conversations })),
  },
  {
    id: "resolution_rate",
    label: "Resolution rate",
    kind: "percent",
    detail: "turns completed without a person",
    href: "/conversations",
    linkLabel: "Conversations",
    permission: "conversations:read",
    total: (t) => ratio(t.completedRuns, t.settledRuns),
    hourly: runSeries((h) => ratio(h.completedRuns, h.settledRuns)),
  },
  {
    id: "escalation_rate",
    label: "Escalation rate",
    kind: "percent",
    detail: "turns handed to a person",
    href: "/inbox",
    linkLabel: "Inbox",
    permission: "inbox:read",
    total: (t) => ratio(t.escalatedRuns, t.settledRuns),
    hourly: runSeries((h) => ratio(h.escalatedRuns, h.settledRuns)),
  },
  {
    id: "turn_latency_p95",
    label: "p95 turn latency",
    kind: "ms",
    detail: "wall time of a finished turn",
    href: "/traces",
    linkLabel: "Traces",
    permission: "traces:read",
    total: (t) => t.turnLatencyP95Ms,
    hourly: runSeries((h) => h.turnLatencyP95Ms),
  },
  {
    id: "spend",
    label: "Spend",
    kind: "usd",
    detail: "model cost of all turns",
    href: "/budgets",
    linkLabel: "Budgets",
    permission: "budgets:read",
    total: (t) => (t.runs > 0 ? t.costUsd : null),
    hourly: runSeries((h) => h.costUsd),
  },
  {
    id: "errors",
    label: "Errors",
    kind: "count",
    detail: "failed calls, refusals, invalid outputs",
    href: "/traces",
    linkLabel: "Traces",
    permission: "traces:read",
    total: (t) => (t.runs > 0 ? t.errors : null),
    hourly: runSeries((h) => h.errors),
  },
];

/** The six headline cards, each with its hourly sparkline and a link only if the role may follow it. */
export function prepareHeadlines(m: OverviewMetrics, canOpen: (permission: Permission) => boolean): Headline[] {
  return specs.map((s) => ({
    id: s.id,
    label: s.label,
    value: formatValue(s.kind, s.total(m.totals)),
    detail: s.detail,
    link: canOpen(s.permission) ? { href: s.href, label: s.linkLabel } : null,
    sparkline: prepareSparkline(s.hourly(m), m.range, s.kind),
  }));
}

export function hasTraffic(m: OverviewMetrics): boolean {
  return m.totals.conversations > 0 || m.totals.runs > 0;
}
