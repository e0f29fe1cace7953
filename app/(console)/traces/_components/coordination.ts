/**
 * The parts of a hybrid or mesh trace, for the waterfall's legend and row badges: the orchestrated
 * critical path and each peer group, from the spans' coordination attributes. Pure and client-safe.
 */
export interface CoordinationSpanInput {
  id: string;
  agent: string | null;
  attributes: Record<string, unknown>;
}

export interface SpanPart {
  /** `orchestrated`, `peer_group` or `mixed` (a step that advanced both). */
  part: string;
  group: string | null;
}

export interface CoordinationPartSummary extends SpanPart {
  label: string;
  spans: number;
  agents: string[];
}

export function spanPartOf(attributes: Record<string, unknown>): SpanPart | null {
  const part = attributes["switchyard.coordination"];
  const group = attributes["switchyard.peer_group"];
  if (typeof part !== "string") return null;
  return { part, group: typeof group === "string" ? group : null };
}

/** Whether a span records something the chain's rules refused (a rejected context write). */
export function isRejectedSpan(attributes: Record<string, unknown>): boolean {
  return attributes["switchyard.rejected"] === true;
}

export function partLabel({ part, group }: SpanPart): string {
  if (part === "peer_group") return group ? `peer group · ${group}` : "peer group";
  return part;
}

/** One entry per part, orchestrated first, then peer groups in order of appearance. */
export function summarizeCoordination(spans: readonly CoordinationSpanInput[]): CoordinationPartSummary[] {
  const parts = new Map<string, CoordinationPartSummary>();
  for (const span of spans) {
    const part = spanPartOf(span.attributes);
    if (!part || part.part === "mixed") continue;
    const label = partLabel(part);
    const entry = parts.get(label) ?? { ...part, label, spans: 0, agents: [] };
    entry.spans += 1;
    if (span.agent && !entry.agents.includes(span.agent)) entry.agents.push(span.agent);
    parts.set(label, entry);
  }
  return [...parts.values()].sort((a, b) => Number(b.part === "orchestrated") - Number(a.part === "orchestrated"));
}
