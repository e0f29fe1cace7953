import type { RunEvent, Thread } from "@/lib/runtime";
import type { SpanKind, SpanRecord } from "./spans";

/** Which part of a hybrid or mesh chain a span belongs to: the audited path or a peer group. */
export type CoordinationPart = "orchestrated" | "peer_group";

const orchestratedRoles: ReadonlySet<string> = new Set(["orchestrator", "worker", "synthesizer"]);

function partOf(thread: Thread | undefined): Record<string, string> {
  if (!thread) return {};
  if (thread.peer)
    return { "switchyard.coordination": "peer_group", "switchyard.peer_group": thread.peer.group };
  return orchestratedRoles.has(thread.role) ? { "switchyard.coordination": "orchestrated" } : {};
}

/**
 * The coordination attributes of an event's span, from the threads of the commit's checkpoint:
 * a thread's events carry its part; a step carries its threads' part, `mixed` when they differ.
 * Pipelines and supervisors have neither part and get nothing.
 */
export function coordinationAttributes(
  event: RunEvent,
  threads: readonly Thread[],
): Record<string, string> {
  const byId = (id: string) => threads.find((t) => t.id === id);
  if (event.type === "step_started") {
    const parts = event.threads.map((id) => partOf(byId(id)));
    const kinds = new Set(parts.map((p) => p["switchyard.coordination"] ?? "none"));
    if (kinds.has("none") || kinds.size === 0) return {};
    if (kinds.size > 1) return { "switchyard.coordination": "mixed" };
    const groups = new Set(parts.map((p) => p["switchyard.peer_group"]).filter(Boolean));
    return groups.size === 1 ? parts[0]! : { "switchyard.coordination": [...kinds][0]! };
  }
  // The orchestrated stage hands its output to the group: the boundary, on the audited side.
  if (event.type === "published" && !event.hop) return { "switchyard.coordination": "orchestrated" };
  if ("group" in event && event.type !== "published")
    return { "switchyard.coordination": "peer_group", "switchyard.peer_group": event.group };
  if ("threadId" in event && typeof event.threadId === "string") return partOf(byId(event.threadId));
  return {};
}

type CoordinationEvent = Extract<
  RunEvent,
  { type: "published" | "context_write" | "sub_problem_skipped" | "conflict_resolved" }
>;

/** The span of a coordination event: the log is the bus, so each message is visible. */
export function coordinationSpan(
  e: CoordinationEvent,
): Pick<SpanRecord, "name" | "attributes" | "payload"> & Partial<SpanRecord> & { kind: SpanKind } {
  const group = { "switchyard.peer_group": e.group };
  switch (e.type) {
    case "published":
      return {
        kind: "message",
        name: e.hop ? `publish ${e.topic} (${e.group})` : `hand to peer group ${e.group}`,
        attributes: {
          ...group,
          "switchyard.topic": e.topic,
          "switchyard.message.key": e.key,
          "switchyard.hop": e.hop,
          "switchyard.hops": e.hops,
          "switchyard.delivered": e.delivered.length,
        },
        payload: { payload: e.payload, delivered: e.delivered },
      };
    case "context_write":
      // A rejected write is the group's rules working, not a failure: status ok, so it is neither
      // an error span nor counted in the run's errors; the attribute lets the trace page mark it.
      return {
        kind: "context",
        name: `${e.accepted ? "context write" : "context write rejected"}: ${e.key}`,
        status: "ok",
        attributes: {
          ...group,
          "switchyard.context.key": e.key,
          "switchyard.accepted": e.accepted,
          ...(e.accepted ? {} : { "switchyard.rejected": true, "switchyard.rejected.reason": e.reason ?? "not a designated writer" }),
        },
        payload: { value: e.value },
      };
    case "sub_problem_skipped":
      return {
        kind: "message",
        name: `skip ${e.peer}: already solved`,
        attributes: { ...group, "switchyard.sub_problem": e.subProblem, "switchyard.solved_by": e.solvedBy },
        payload: null,
      };
    case "conflict_resolved":
      return {
        kind: "conflict",
        name: `${e.rule}: ${e.outcome === "chosen" ? `${e.chosen?.vote ?? "?"} (${e.agreed ? "agreed" : "disagreed"})` : "to a person"}`,
        attributes: {
          ...group,
          "switchyard.conflict.rule": e.rule,
          "switchyard.conflict.outcome": e.outcome,
          "switchyard.conflict.agreed": e.agreed,
          "switchyard.conflict.answers": e.answers.length,
        },
        payload: { answers: e.answers, chosen: e.chosen ?? null, detail: e.detail ?? null },
      };
  }
}
