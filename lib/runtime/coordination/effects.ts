import { type AgentRef, type EventRecorder } from "../recorder";
import { type RunState, type Thread } from "../state";
import { type ConflictResolution } from "./conflict";
import { type ConflictRule } from "./events";

/**
 * What a peer pattern asks the runtime to record with a transition. Patterns are pure, so they
 * describe publishes, context writes, skipped sub-problems and conflict decisions; the transition
 * applies them to the draft state and records their events in the same commit.
 */
export type CoordinationEffect =
  | {
      readonly kind: "publish";
      readonly by?: AgentRef;
      readonly threadId?: string;
      readonly group: string;
      readonly topic: string;
      readonly key: string;
      readonly payload: unknown;
      readonly hop: boolean;
    }
  | {
      readonly kind: "context_write";
      readonly by: AgentRef;
      readonly threadId: string;
      readonly group: string;
      readonly key: string;
      readonly value: unknown;
      readonly accepted: boolean;
      readonly reason?: string;
    }
  | {
      readonly kind: "skip";
      readonly group: string;
      readonly topic: string;
      readonly key: string;
      readonly subProblem: string;
      readonly peer: string;
      readonly solvedBy: string;
    }
  | {
      readonly kind: "conflict";
      readonly group: string;
      readonly rule: ConflictRule;
      readonly resolution: ConflictResolution;
    };

/** The hop bound's breach detail when the effects' peer messages would exceed `maxHops`. */
export function hopBreach(
  state: Readonly<RunState>,
  effects: readonly CoordinationEffect[],
  maxHops: number,
): string | undefined {
  const hops = effects.filter((e) => e.kind === "publish" && e.hop).length;
  if (hops === 0) return undefined;
  const total = (state.mesh?.hops ?? 0) + hops;
  return total > maxHops ? `peers would take ${total} hops, more than ${maxHops}` : undefined;
}

/** Applies the effects to the draft state and records one event each; `opened` are the threads
 *  the same transition opened (a publish names those its message was delivered to). */
export function recordEffects(
  state: RunState,
  effects: readonly CoordinationEffect[],
  opened: readonly Thread[],
  rec: EventRecorder,
): void {
  if (effects.length === 0) return;
  const mesh = (state.mesh ??= { hops: 0, context: {} });
  for (const effect of effects) {
    const record = (by: AgentRef | undefined, payload: Parameters<EventRecorder["run"]>[0]) =>
      by ? rec.agent(by, payload) : rec.run(payload);
    switch (effect.kind) {
      case "publish": {
        if (effect.hop) mesh.hops += 1;
        const delivered = opened
          .filter(
            (t) =>
              t.peer?.group === effect.group &&
              t.peer.topic === effect.topic &&
              t.peer.key === effect.key,
          )
          .map((t) => t.id);
        const { group, topic, key, payload, hop } = effect;
        record(effect.by, {
          type: "published",
          ...(effect.threadId ? { threadId: effect.threadId } : {}),
          group,
          topic,
          key,
          payload,
          hop,
          hops: mesh.hops,
          delivered,
        });
        break;
      }
      case "context_write": {
        if (effect.accepted) mesh.context[effect.key] = effect.value;
        const { threadId, group, key, value, accepted, reason } = effect;
        record(effect.by, {
          type: "context_write",
          threadId,
          group,
          key,
          value,
          accepted,
          ...(reason ? { reason } : {}),
        });
        break;
      }
      case "skip": {
        const { group, topic, key, subProblem, peer, solvedBy } = effect;
        rec.run({ type: "sub_problem_skipped", group, topic, key, subProblem, peer, solvedBy });
        break;
      }
      case "conflict": {
        const { resolution } = effect;
        rec.run({
          type: "conflict_resolved",
          group: effect.group,
          rule: effect.rule,
          answers: resolution.answers.map(({ agent, vote, answer }) => ({ agent, vote, answer })),
          agreed: resolution.agreed,
          outcome: resolution.outcome,
          ...(resolution.outcome === "chosen"
            ? { chosen: { agent: resolution.chosen.agent, vote: resolution.chosen.vote } }
            : { detail: resolution.detail }),
        });
        break;
      }
    }
  }
}
